package dev.tollgate.agent.testing;

import dev.tollgate.bootstrap.LlmExchange;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An LLM exchange for tests of the HTTP-client instrumentations: records the request the hook saw, the response
 * head, every response byte shown to it (in order) and how the exchange ended.
 */
public class RecordingExchange implements LlmExchange {
  public final String method;
  public final String uri;
  public final byte[] requestBody;
  public final long contentLength;
  public final List<String> heads = new CopyOnWriteArrayList<>();
  public final ByteArrayOutputStream body = new ByteArrayOutputStream();
  public final List<String> ends = new CopyOnWriteArrayList<>();

  public RecordingExchange(String method, String uri, byte[] requestBody, long contentLength) {
    this.method = method;
    this.uri = uri;
    this.requestBody = requestBody;
    this.contentLength = contentLength;
  }

  @Override
  public void response(int status, String contentType, String contentEncoding) {
    heads.add(status + " " + contentType + " " + contentEncoding);
  }

  /** Copies the buffer's remaining bytes, leaving its position as it was. */
  @Override
  public synchronized void bytes(ByteBuffer bytes) {
    ByteBuffer view = bytes.duplicate();
    byte[] b = new byte[view.remaining()];
    view.get(b);
    body.write(b, 0, b.length);
  }

  @Override
  public synchronized void bytes(byte[] bytes, int offset, int length) {
    body.write(bytes, offset, length);
  }

  @Override
  public void end(boolean complete, Throwable error) {
    ends.add("end complete=" + complete + " error=" + error);
  }
}
