package dev.tollgate.agent.llm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** Recorded wire bytes (test resources under /llm) and ways to feed them to a meter. */
final class Fixtures {
  private Fixtures() {}

  static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/llm/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static Endpoint endpoint(ApiFormat format) {
    return new Endpoint("test", format, null, false);
  }

  static String contentType(String name) {
    return name.endsWith(".sse") ? "text/event-stream" : name.endsWith(".ndjson") ? "application/x-ndjson"
        : "application/json";
  }

  /** A 200 response's meter that has been fed {@code body} whole, not yet finished. */
  static ResponseMeter fed(ApiFormat format, byte[] body, String contentType, String encoding) {
    ResponseMeter m = ResponseMeter.start(endpoint(format), null, 200, contentType, encoding);
    m.accept(body, 0, body.length);
    return m;
  }

  /** Feeds {@code body} whole and finishes complete. */
  static MeterResult meter(ApiFormat format, byte[] body, String contentType, String encoding) {
    return fed(format, body, contentType, encoding).finish(true);
  }

  /** Feeds {@code body} in pieces ending at the given cut points (sorted, within the body). */
  static MeterResult meterCut(ApiFormat format, byte[] body, String contentType, String encoding, int[] cuts) {
    ResponseMeter m = ResponseMeter.start(endpoint(format), null, 200, contentType, encoding);
    int from = 0;
    for (int cut : cuts) {
      int to = Math.max(from, Math.min(cut, body.length));
      m.accept(body, from, to - from);
      from = to;
    }
    m.accept(body, from, body.length - from);
    return m.finish(true);
  }
}
