package dev.tollgate.bench;

import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A JDK {@code HttpClient} talking to a {@link ProviderSimulator} on 127.0.0.1 (OpenAI chat completions,
 * HTTP/1.1 keep-alive), the way an SDK would. With {@code -javaagent} every call is recognised, admitted, metered
 * and settled by Tollgate; without it the same bytes go the same way.
 */
final class LlmClient implements AutoCloseable {
  static final String MODEL = "gpt-4o-mini";
  private static final String CALL = "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Say done.\"}]}";
  private static final String STREAM = "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,\"stream\":true,"
      + "\"stream_options\":{\"include_usage\":true},"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"Say done.\"}]}";

  static {
    // Without TCP_NODELAY on the server side, Nagle's algorithm and delayed ACKs put ~40 ms into every loopback
    // exchange of the JDK HttpServer the simulator runs on; read once, when the server's config class loads
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final ProviderSimulator simulator;
  private final HttpClient client;
  private final HttpRequest call;
  private final HttpRequest stream;

  /** {@code answerBytes} < 0: the short scripted answer; else an answer of exactly that many bytes. */
  LlmClient(long answerBytes) {
    ProviderSimulator.Builder options = ProviderSimulator.builder(Script.empty()).usage(12, 3).record(false);
    if (answerBytes >= 0) {
      options.answerBytes(answerBytes);
    }
    simulator = options.start();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create(simulator.baseUrl() + "/chat/completions");
    call = request(uri, CALL);
    stream = request(uri, STREAM);
  }

  private static HttpRequest request(URI uri, String body) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer sk-bench")
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** One non-streaming call; returns the response body. */
  byte[] call() throws IOException, InterruptedException {
    HttpResponse<byte[]> response = client.send(call, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("status " + response.statusCode() + ": " + new String(response.body()));
    }
    return response.body();
  }

  /** A streaming call: nanoseconds from sending to the first body byte; the rest is read (counted) and closed. */
  long[] streamFirstByteAndDrain(byte[] buffer) throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<InputStream> response = client.send(stream, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      int first = in.read();
      long firstByte = System.nanoTime() - start;
      if (first < 0 || response.statusCode() != 200) {
        throw new IllegalStateException("status " + response.statusCode() + ", empty stream");
      }
      long total = 1;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
      return new long[] {firstByte, total};
    }
  }

  @Override
  public void close() {
    // HttpClient has no close() before JDK 21: its threads are daemons and its connections go with the JVM
    simulator.close();
  }
}
