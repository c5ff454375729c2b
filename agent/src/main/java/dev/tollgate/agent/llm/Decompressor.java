package dev.tollgate.agent.llm;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Incremental {@code gzip} (RFC 1952, multi-member) and {@code deflate} (zlib or raw) decoding with a fixed output
 * buffer: decoded bytes are pushed downstream as they come, nothing accumulates.
 */
final class Decompressor {
  interface Out {
    void write(byte[] b, int off, int len);
  }

  private static final int FTEXT_HCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;

  private enum State { HEADER, EXTRA_LEN, EXTRA, NAME, COMMENT, HCRC, BODY, TRAILER, MEMBER_END, DEFLATE_START, DONE,
    FAILED }

  private final boolean gzip;
  private final Out out;
  private final byte[] outBuf = new byte[8192];
  private final byte[] header = new byte[10];
  private final CRC32 crc = new CRC32();
  private Inflater inflater;
  private State state;
  private int pos;
  private int flags;
  private int extraRemaining;
  private long size;
  private long trailerCrc;
  private long trailerSize;
  private String problem;

  private Decompressor(boolean gzip, Out out) {
    this.gzip = gzip;
    this.out = out;
    this.state = gzip ? State.HEADER : State.DEFLATE_START;
  }

  static Decompressor gzip(Out out) {
    return new Decompressor(true, out);
  }

  static Decompressor deflate(Out out) {
    return new Decompressor(false, out);
  }

  String problem() {
    return problem;
  }

  int retainedBytes() {
    return outBuf.length + header.length + (inflater == null ? 0 : 64 * 1024); // zlib window, roughly
  }

  void feed(byte[] b, int off, int len) {
    int end = off + len;
    while (off < end) {
      switch (state) {
        case HEADER -> {
          header[pos++] = b[off++];
          if (pos == header.length) {
            if ((header[0] & 0xff) != 0x1f || (header[1] & 0xff) != 0x8b || header[2] != 8) {
              fail("gzip: not a gzip header");
              return;
            }
            flags = header[3] & 0xff;
            pos = 0;
            afterField(State.HEADER);
          }
        }
        case EXTRA_LEN -> {
          extraRemaining |= (b[off++] & 0xff) << (8 * pos);
          if (++pos == 2) {
            pos = 0;
            state = State.EXTRA;
            if (extraRemaining == 0) {
              afterField(State.EXTRA);
            }
          }
        }
        case EXTRA -> {
          int n = Math.min(extraRemaining, end - off);
          off += n;
          extraRemaining -= n;
          if (extraRemaining == 0) {
            afterField(State.EXTRA);
          }
        }
        case NAME, COMMENT -> {
          State s = state;
          if (b[off++] == 0) {
            afterField(s);
          }
        }
        case HCRC -> {
          off++;
          if (++pos == 2) {
            pos = 0;
            afterField(State.HCRC);
          }
        }
        case DEFLATE_START -> {
          // zlib header: CM = 8 and window <= 32K; anything else is raw deflate (some servers send that)
          int cmf = b[off] & 0xff;
          boolean zlib = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7;
          inflater = new Inflater(!zlib);
          state = State.BODY;
        }
        case BODY -> {
          int consumed = inflate(b, off, end - off);
          if (consumed < 0) {
            return;
          }
          off += consumed;
        }
        case TRAILER -> {
          int v = b[off++] & 0xff;
          if (pos < 4) {
            trailerCrc |= (long) v << (8 * pos);
          } else {
            trailerSize |= (long) v << (8 * (pos - 4));
          }
          if (++pos == 8) {
            if (trailerCrc != crc.getValue() || trailerSize != (size & 0xffffffffL)) {
              problem = "gzip: checksum mismatch";
            }
            state = State.MEMBER_END;
          }
        }
        case MEMBER_END -> {
          if ((b[off] & 0xff) == 0x1f) {
            // another member follows (concatenated gzip)
            pos = 0;
            crc.reset();
            size = 0;
            state = State.HEADER;
          } else {
            state = State.DONE; // trailing bytes (often zero padding): ignored
          }
        }
        case DONE, FAILED -> {
          return;
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  /** Moves past the header field just read to the next one the flags announce. */
  private void afterField(State done) {
    State next = switch (done) {
      case HEADER -> State.EXTRA_LEN;
      case EXTRA_LEN, EXTRA -> State.NAME;
      case NAME -> State.COMMENT;
      case COMMENT -> State.HCRC;
      default -> State.BODY;
    };
    if (next == State.EXTRA_LEN && (flags & FEXTRA) == 0) {
      next = State.NAME;
    }
    if (next == State.NAME && (flags & FNAME) == 0) {
      next = State.COMMENT;
    }
    if (next == State.COMMENT && (flags & FCOMMENT) == 0) {
      next = State.HCRC;
    }
    if (next == State.HCRC && (flags & FTEXT_HCRC) == 0) {
      next = State.BODY;
    }
    if (next == State.EXTRA_LEN) {
      extraRemaining = 0;
    }
    pos = 0;
    state = next;
    if (next == State.BODY) {
      if (inflater == null) {
        inflater = new Inflater(true);
      } else {
        inflater.reset();
      }
    }
  }

  /** Inflates from {@code b[off..off+len)}; returns the bytes consumed, or -1 after a failure. */
  private int inflate(byte[] b, int off, int len) {
    inflater.setInput(b, off, len);
    try {
      while (true) {
        int n = inflater.inflate(outBuf);
        if (n > 0) {
          if (gzip) {
            crc.update(outBuf, 0, n);
          }
          size += n;
          out.write(outBuf, 0, n);
        }
        if (inflater.finished()) {
          int consumed = len - inflater.getRemaining();
          if (gzip) {
            state = State.TRAILER;
            pos = 0;
            trailerCrc = 0;
            trailerSize = 0;
          } else {
            state = State.DONE;
          }
          return consumed;
        }
        if (n == 0) {
          if (inflater.needsDictionary()) {
            fail(gzip ? "gzip: data needs a dictionary" : "deflate: data needs a dictionary");
            return -1;
          }
          if (inflater.needsInput()) {
            return len;
          }
        }
      }
    } catch (DataFormatException e) {
      fail(gzip ? "gzip: corrupt data" : "deflate: corrupt data");
      return -1;
    }
  }

  /** The body ended: null if the compressed stream was whole, else why not. */
  String finish() {
    String truncated = switch (state) {
      case DONE, MEMBER_END, FAILED -> null;
      case DEFLATE_START -> null; // empty body
      case HEADER -> pos == 0 && size == 0 && inflater == null ? null : (gzip ? "gzip: truncated" : null);
      default -> gzip ? "gzip: truncated" : "deflate: truncated";
    };
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
    state = State.DONE;
    return truncated;
  }

  private void fail(String why) {
    problem = why;
    state = State.FAILED;
  }
}
