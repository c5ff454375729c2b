package dev.tollgate.bootstrap;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body stream that shows every byte the app reads to an {@link LlmExchange}, and ends the exchange at
 * end of stream (complete), on a read error, or when the app closes it early (abandoned; but complete when every
 * byte of a body of known length was read: a JSON parser stops at the closing brace without asking for the end).
 * The app reads exactly the bytes of the stream it wraps. Skipped bytes are read (into a scratch buffer) so that
 * metering sees them.
 */
public final class MeteredInputStream extends FilterInputStream {
  private final LlmExchange exchange;
  private final long contentLength;
  private long seen;
  private boolean ended;

  public MeteredInputStream(InputStream in, LlmExchange exchange) {
    this(in, exchange, -1);
  }

  /** With the body's length from its headers, or -1 when unknown. */
  public MeteredInputStream(InputStream in, LlmExchange exchange, long contentLength) {
    super(in);
    this.exchange = exchange;
    this.contentLength = contentLength;
  }

  @Override
  public int read() throws IOException {
    int b;
    try {
      b = in.read();
    } catch (IOException | RuntimeException e) {
      end(false, e);
      throw e;
    }
    if (b < 0) {
      end(true, null);
    } else if (!ended) {
      seen++;
      Guard.llmBytes(exchange, new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException | RuntimeException e) {
      end(false, e);
      throw e;
    }
    if (n < 0) {
      end(true, null);
    } else if (n > 0 && !ended) {
      seen += n;
      Guard.llmBytes(exchange, b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[(int) Math.min(8192, Math.max(0, n))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  @Override
  public void close() throws IOException {
    try {
      in.close();
    } finally {
      end(contentLength >= 0 && seen >= contentLength, null); // no-op when the end of stream was reached first
    }
  }

  private void end(boolean complete, Throwable error) {
    if (!ended) {
      ended = true;
      Guard.llmEnd(exchange, complete, error);
    }
  }
}
