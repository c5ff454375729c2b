package dev.tollgate.agent.instrumentation.springweb.v6_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.springframework.http.StreamingHttpOutputMessage;

/**
 * A request body written once into memory, to be read by the guard and then sent: Spring's bodies (a message
 * converter writing the app's object) may be one-shot. A body that failed to write keeps failing the same way
 * when the connector writes it, so the app sees its own error. A helper class, defined into the app's loader.
 */
public final class CapturedBody implements StreamingHttpOutputMessage.Body {
  private final byte[] bytes;
  private final Exception failure;

  private CapturedBody(byte[] bytes, Exception failure) {
    this.bytes = bytes;
    this.failure = failure;
  }

  /** {@code body} written into memory; null when there is no body. */
  public static CapturedBody of(StreamingHttpOutputMessage.Body body) {
    if (body == null) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      body.writeTo(out);
      return new CapturedBody(out.toByteArray(), null);
    } catch (IOException | RuntimeException e) {
      return new CapturedBody(null, e);
    }
  }

  /** The body's bytes, or null when writing it failed. */
  public byte[] bytes() {
    return bytes;
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    if (failure instanceof IOException) {
      throw (IOException) failure;
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
    out.write(bytes);
  }

  @Override
  public boolean repeatable() {
    return failure == null;
  }
}
