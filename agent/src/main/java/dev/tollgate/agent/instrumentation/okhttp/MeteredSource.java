package dev.tollgate.agent.instrumentation.okhttp;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.io.IOException;
import java.io.OutputStream;
import okio.Buffer;
import okio.ForwardingSource;
import okio.Source;

/**
 * A response body's source that shows the exchange every byte the app reads, as it reads it: each {@code read}
 * hands over the bytes it just appended to the sink (OkHttp's own segments, not a copy; the sink is never
 * changed, so the app reads exactly what OkHttp delivered). The end of the body ends the exchange as complete;
 * closing it earlier ends it as abandoned (unless every byte of a body of known length was read); a failed read
 * ends it with that failure. A helper class, like {@link TollgateInterceptor}.
 */
final class MeteredSource extends ForwardingSource {
  private final LlmExchange exchange;
  private final long contentLength;
  private final ToExchange out;
  private long seen;
  private volatile boolean ended;

  MeteredSource(Source delegate, LlmExchange exchange, long contentLength) {
    super(delegate);
    this.exchange = exchange;
    this.contentLength = contentLength;
    this.out = new ToExchange(exchange);
  }

  @Override
  public long read(Buffer sink, long byteCount) throws IOException {
    long n;
    try {
      n = super.read(sink, byteCount);
    } catch (IOException | RuntimeException | Error e) {
      end(false, e);
      throw e;
    }
    if (n > 0) {
      seen += n;
      if (!ended) {
        try {
          sink.copyTo(out, sink.size() - n, n);
        } catch (Throwable t) {
          Guard.suppressed(t);
        }
      }
    } else if (n == -1) {
      end(true, null);
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      end(contentLength >= 0 && seen >= contentLength, null);
    }
  }

  private void end(boolean complete, Throwable error) {
    if (!ended) {
      ended = true;
      Guard.llmEnd(exchange, complete, error);
    }
  }

  /** Where {@code Buffer.copyTo} writes the bytes of a read, segment by segment. */
  static final class ToExchange extends OutputStream {
    private final LlmExchange exchange;

    ToExchange(LlmExchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public void write(int b) {
      Guard.llmBytes(exchange, new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Guard.llmBytes(exchange, b, off, len);
    }
  }
}
