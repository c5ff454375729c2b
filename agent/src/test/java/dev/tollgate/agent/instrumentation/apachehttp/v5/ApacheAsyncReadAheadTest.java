package dev.tollgate.agent.instrumentation.apachehttp.v5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.junit.jupiter.api.Test;

/**
 * Producing an async request body ahead and replaying it, with the library's own producers and with one that
 * writes from another thread and asks for output when it has more (as Ktor's does).
 */
class ApacheAsyncReadAheadTest {

  private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** What a client does with a producer: produce until the stream ends, however many calls that takes. */
  private static byte[] send(org.apache.hc.core5.http.nio.AsyncRequestProducer producer) throws Exception {
    Sink sink = new Sink();
    for (int i = 0; i < 10_000 && !sink.ended; i++) {
      producer.produce(sink);
      if (!sink.ended) {
        Thread.sleep(1);
      }
    }
    assertTrue(sink.ended, "the stream ended");
    return sink.out.toByteArray();
  }

  @Test
  void aLibraryProducerIsProducedAheadWhollyAndReplayedRepeatably() throws Exception {
    BasicRequestProducer app = new BasicRequestProducer(Method.POST, java.net.URI.create("http://127.0.0.1/v1/chat"),
        AsyncEntityProducers.create(BODY, ContentType.APPLICATION_JSON));

    ApacheAsyncLlmCalls.Produced produced = ApacheAsyncLlmCalls.Produced.from(app, 1024);
    assertTrue(produced.complete);
    assertEquals(BODY, new String(produced.bytes, StandardCharsets.UTF_8));

    ApacheAsyncLlmCalls.Replay replay = new ApacheAsyncLlmCalls.Replay(app, produced);
    assertTrue(replay.isRepeatable());
    assertEquals(BODY, new String(send(replay), StandardCharsets.UTF_8));
    replay.releaseResources(); // what the client does before a retry
    assertEquals(BODY, new String(send(replay), StandardCharsets.UTF_8), "a retry sends the same bytes");
  }

  @Test
  void aProducerWritingFromAnotherThreadIsWaitedFor() throws Exception {
    ThreadedProducer app = new ThreadedProducer(BODY.getBytes(StandardCharsets.UTF_8), 5, 20);
    ApacheAsyncLlmCalls.Produced produced = ApacheAsyncLlmCalls.Produced.from(
        new BasicRequestProducer(Method.POST, java.net.URI.create("http://127.0.0.1/v1/chat"), app), 1024);

    assertTrue(produced.complete);
    assertEquals(BODY, new String(produced.bytes, StandardCharsets.UTF_8));
  }

  @Test
  void aBodyPastTheCapIsSentWholeFromWhatWasProducedAndTheRest() throws Exception {
    byte[] big = new byte[5000];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    ThreadedProducer app = new ThreadedProducer(big, 700, 0);
    BasicRequestProducer request =
        new BasicRequestProducer(Method.POST, java.net.URI.create("http://127.0.0.1/v1/chat"), app);
    ApacheAsyncLlmCalls.Produced produced = ApacheAsyncLlmCalls.Produced.from(request, 1000);

    assertFalse(produced.complete, "longer than the cap: governed by its length");
    ApacheAsyncLlmCalls.Replay replay = new ApacheAsyncLlmCalls.Replay(request, produced);
    assertFalse(replay.isRepeatable());
    assertArrayEquals(big, send(replay), "what was produced ahead, then the rest, in order");
  }

  @Test
  void theAppsOwnBodyFailureFailsTheSendAfterWhatWasWritten() throws Exception {
    AsyncEntityProducer failing = new ThreadedProducer("{\"partial".getBytes(StandardCharsets.UTF_8), 100, 0) {
      @Override
      public void produce(DataStreamChannel channel) throws IOException {
        channel.write(ByteBuffer.wrap("{\"partial".getBytes(StandardCharsets.UTF_8)));
        throw new IOException("the app's body broke");
      }
    };
    BasicRequestProducer request =
        new BasicRequestProducer(Method.POST, java.net.URI.create("http://127.0.0.1/v1/chat"), failing);
    ApacheAsyncLlmCalls.Produced produced = ApacheAsyncLlmCalls.Produced.from(request, 1024);

    assertFalse(produced.complete);
    ApacheAsyncLlmCalls.Replay replay = new ApacheAsyncLlmCalls.Replay(request, produced);
    Sink sink = new Sink();
    IOException thrown = assertThrows(IOException.class, () -> replay.produce(sink));
    assertEquals("the app's body broke", thrown.getMessage());
    assertEquals("{\"partial", sink.out.toString(StandardCharsets.UTF_8), "what it wrote before it broke went out");
  }

  /** A data channel that takes every byte. */
  private static final class Sink implements DataStreamChannel {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean ended;

    @Override
    public void requestOutput() {}

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      byte[] b = new byte[n];
      src.get(b);
      out.write(b, 0, n);
      return n;
    }

    @Override
    public void endStream(List<? extends Header> trailers) {
      ended = true;
    }

    @Override
    public void endStream() {
      ended = true;
    }
  }

  /**
   * A producer whose bytes arrive from another thread, {@code piece} at a time every {@code pauseMillis}: produce
   * writes what has arrived, and the writer asks the last channel for output when it adds more.
   */
  private static class ThreadedProducer implements AsyncEntityProducer {
    private final byte[] body;
    private final int piece;
    private final long pauseMillis;
    private int arrived;
    private int sent;
    private Thread writer;
    private final AtomicReference<DataStreamChannel> waiting = new AtomicReference<>();

    ThreadedProducer(byte[] body, int piece, long pauseMillis) {
      this.body = body;
      this.piece = piece;
      this.pauseMillis = pauseMillis;
    }

    private synchronized void start() {
      if (writer != null) {
        return;
      }
      writer = new Thread(() -> {
        try {
          while (true) {
            Thread.sleep(pauseMillis);
            synchronized (this) {
              arrived = Math.min(body.length, arrived + piece);
            }
            DataStreamChannel channel = waiting.getAndSet(null);
            if (channel != null) {
              channel.requestOutput();
            }
            if (arrived == body.length) {
              return;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      writer.setDaemon(true);
      writer.start();
    }

    @Override
    public synchronized int available() {
      return arrived - sent;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      start();
      synchronized (this) {
        if (sent < arrived) {
          sent += channel.write(ByteBuffer.wrap(body, sent, arrived - sent));
        }
        if (sent == body.length) {
          channel.endStream();
          return;
        }
      }
      waiting.set(channel);
      synchronized (this) {
        if (arrived > sent && waiting.compareAndSet(channel, null)) {
          channel.requestOutput(); // more arrived meanwhile: no wake-up is lost
        }
      }
    }

    @Override
    public boolean isRepeatable() {
      return false;
    }

    @Override
    public void failed(Exception cause) {}

    @Override
    public long getContentLength() {
      return body.length;
    }

    @Override
    public String getContentType() {
      return "application/json";
    }

    @Override
    public String getContentEncoding() {
      return null;
    }

    @Override
    public boolean isChunked() {
      return false;
    }

    @Override
    public java.util.Set<String> getTrailerNames() {
      return java.util.Set.of();
    }

    @Override
    public void releaseResources() {}
  }
}
