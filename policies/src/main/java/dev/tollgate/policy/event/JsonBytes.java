package dev.tollgate.policy.event;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compact JSON written as UTF-8 into a growable byte buffer: the enforcement log's lines and {@link JsonLine#write}.
 * It writes byte for byte what Jackson's UTF-8 generator writes with its default features (strings: {@code "} and
 * {@code \} escaped, control characters as {@code \b \t \n \f \r} or as a six-character escape (backslash,
 * {@code u}, four upper-case hex digits), every UTF-16 surrogate as such an escape, other characters as UTF-8;
 * doubles as {@link Double#toString}, quoted when not finite) — {@code JsonBytesTest} checks that over generated
 * values — without loading jackson-core's ~65 classes and its factory's tables: the log's first line is written while
 * the host app starts, and on a 2-core machine those classes were the log thread's whole start-up CPU
 * (docs/benchmarks.md, eleventh pass). Reading stays with Jackson ({@link JsonLine#parse}).
 *
 * <p>Not thread-safe; one writer per buffer.
 */
public final class JsonBytes {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  /** Characters copied out of a string at a time (then written from a local array and position, as Jackson does:
   * {@code charAt} and a capacity check per character made the log's writer half again as slow). */
  private static final int CHUNK = 512;

  private byte[] buf;
  private int len;
  private final char[] chars = new char[CHUNK];

  public JsonBytes(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  /** Bytes written since the last {@link #reset}. */
  public int size() {
    return len;
  }

  public void reset() {
    len = 0;
  }

  /** Drops what was written after the first {@code size} bytes (a line that failed half-way). */
  public void truncate(int size) {
    if (size < 0 || size > len) {
      throw new IllegalArgumentException("size " + size + " of " + len);
    }
    len = size;
  }

  public void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
  }

  /** What was written, decoded as UTF-8. */
  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  /** One ASCII character, as it is (the log's line separator). */
  public JsonBytes raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /**
   * Opens an object; the fields returned write into it (nulls left out) until {@link #endObject}. Nested values are
   * written through the same buffer, so the object's fields must all be put before it is ended.
   */
  public Fields startObject() {
    raw('{');
    return new ObjectFields();
  }

  public JsonBytes endObject() {
    return raw('}');
  }

  /** {@code w}'s fields as one object. */
  public JsonBytes object(Written w) {
    w.write(startObject());
    return endObject();
  }

  /** A JSON-like value: String, Integer/Long, another Number (as a double), Boolean, {@link Written}, List or Map of
   * these, null; anything else as its {@code toString()} text. */
  public JsonBytes value(Object v) {
    if (v == null) {
      ascii("null");
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Boolean b) {
      ascii(b ? "true" : "false");
    } else if (v instanceof Integer || v instanceof Long) {
      ascii(Long.toString(((Number) v).longValue()));
    } else if (v instanceof Number n) {
      number(n.doubleValue());
    } else if (v instanceof Written w) {
      object(w);
    } else if (v instanceof List<?> list) {
      raw('[');
      boolean first = true;
      for (Object o : list) {
        if (!first) {
          raw(',');
        }
        first = false;
        value(o);
      }
      raw(']');
    } else if (v instanceof Map<?, ?> map) {
      raw('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        member(first, String.valueOf(e.getKey()), e.getValue()); // a map's nulls are written
        first = false;
      }
      raw('}');
    } else {
      string(v.toString());
    }
    return this;
  }

  /** {@code "name":value} inside an object, after a comma unless it is the object's first member. */
  private void member(boolean first, String name, Object value) {
    if (!first) {
      raw(',');
    }
    string(name);
    raw(':');
    value(value);
  }

  private void number(double d) {
    String text = Double.toString(d);
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      string(text);
    } else {
      ascii(text);
    }
  }

  /** A quoted, escaped string. */
  public JsonBytes string(String s) {
    raw('"');
    int n = s.length();
    for (int start = 0; start < n; start += CHUNK) {
      int m = Math.min(CHUNK, n - start);
      s.getChars(start, start + m, chars, 0);
      ensure(m * 6); // the most a character takes: an escape
      byte[] b = buf;
      int p = len;
      for (int i = 0; i < m; i++) {
        char c = chars[i];
        if (c < 0x80) {
          if (c >= 0x20 && c != '"' && c != '\\') {
            b[p++] = (byte) c;
          } else {
            p = escape(b, p, c);
          }
        } else if (c < 0x800) {
          b[p++] = (byte) (0xC0 | (c >> 6));
          b[p++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isSurrogate(c)) {
          p = hexEscape(b, p, c);
        } else {
          b[p++] = (byte) (0xE0 | (c >> 12));
          b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
          b[p++] = (byte) (0x80 | (c & 0x3F));
        }
      }
      len = p;
    }
    return raw('"');
  }

  private static int escape(byte[] b, int p, char c) {
    char shortForm = switch (c) {
      case '"' -> '"';
      case '\\' -> '\\';
      case '\b' -> 'b';
      case '\t' -> 't';
      case '\n' -> 'n';
      case '\f' -> 'f';
      case '\r' -> 'r';
      default -> 0;
    };
    if (shortForm == 0) {
      return hexEscape(b, p, c);
    }
    b[p++] = '\\';
    b[p++] = (byte) shortForm;
    return p;
  }

  private static int hexEscape(byte[] b, int p, char c) {
    b[p++] = '\\';
    b[p++] = 'u';
    b[p++] = HEX[(c >> 12) & 0xF];
    b[p++] = HEX[(c >> 8) & 0xF];
    b[p++] = HEX[(c >> 4) & 0xF];
    b[p++] = HEX[c & 0xF];
    return p;
  }

  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }

  /** The fields of one open object: a comma before each but the first. */
  private final class ObjectFields implements Fields {
    private boolean any;

    @Override
    public Fields put(String name, Object value) {
      if (value != null) {
        member(!any, name, value);
        any = true;
      }
      return this;
    }
  }
}
