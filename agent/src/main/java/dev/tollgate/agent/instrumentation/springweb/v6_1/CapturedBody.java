package dev.tollgate.agent.instrumentation.springweb.v6_1;

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

  /** The bytes a one-shot body wrote. */
  static CapturedBody of(byte[] bytes) {
    return new CapturedBody(bytes, null);
  }

  /** A body whose writing failed with {@code failure}: writing it again fails the same way. */
  static CapturedBody failed(Exception failure) {
    return new CapturedBody(null, failure);
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    if (failure instanceof IOException) {
      throw (IOException) failure;
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure != null) {
      throw new IOException(failure);
    }
    out.write(bytes);
  }

  @Override
  public boolean repeatable() {
    return failure == null;
  }
}
