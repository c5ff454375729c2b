package dev.tollgate.agent.llm;

import java.nio.charset.StandardCharsets;

/**
 * A push-mode JSON tokenizer with bounded memory: bytes go in as they arrive, the sink hears about each value with
 * its path, and nothing is buffered beyond a field name, a number and a short captured string.
 *
 * <p>Why not Jackson's non-blocking parser: it materialises every string token whole before returning it, so a
 * 10 MB content string or a base64 image costs tens of MB and trips {@code StreamReadConstraints}; here string
 * contents are counted and skipped unless the sink asks to capture a short one.
 *
 * <p>In the callbacks, the path of the value concerned is {@code key(0) .. key(depth() - 1)}, where an array level
 * reads {@link #ARRAY}. Field names are interned against {@link Keys}; any other name reads {@link Keys#OTHER}.
 * Accepts a sequence of root values (concatenated JSON, NDJSON).
 */
final class JsonScanner {
  static final String ARRAY = "[]";
  static final int MAX_DEPTH = 256;
  static final int CAPTURE_LIMIT = 256;
  private static final int NUMBER_LIMIT = 32;

  interface Sink {
    /** A container starts; its own path is the current path. */
    void open(boolean array);

    /** A container ended; its own path is the current path. */
    void close(boolean array);

    /** A string value starts: return true to have it captured (up to {@link #CAPTURE_LIMIT} bytes). */
    boolean wantString();

    /** A string value ended. {@code captured} is null unless wanted, short enough and free of odd escapes. */
    void string(long rawBytes, String captured);

    /** A number ended. {@code text} is its bytes (only meaningful when {@code length <= NUMBER_LIMIT}). */
    void number(byte[] text, int length);

    /** true, false or null. */
    void literal(byte first);

    /** The input is not JSON; the scanner skips to the next line (if allowed) or stays failed until reset. */
    void error();
  }

  private static final int VALUE = 0;
  private static final int VALUE_OR_END = 1;
  private static final int KEY_OR_END = 2;
  private static final int KEY = 3;
  private static final int IN_KEY = 4;
  private static final int KEY_ESC = 5;
  private static final int COLON = 6;
  private static final int IN_STR = 7;
  private static final int STR_ESC = 8;
  private static final int IN_NUM = 9;
  private static final int IN_LIT = 10;
  private static final int AFTER = 11;
  private static final int ERROR = 12;

  private final Sink sink;
  private final boolean recoverAtNewline;
  private final boolean[] isArray = new boolean[MAX_DEPTH];
  private final String[] keys = new String[MAX_DEPTH];
  private final byte[] keyBuf = new byte[Keys.MAX_LENGTH];
  private final byte[] numBuf = new byte[NUMBER_LIMIT];
  private final byte[] capBuf = new byte[CAPTURE_LIMIT];

  private int state = VALUE;
  private int depth;
  private int keyLen;
  private int numLen;
  private int litLen;
  private byte litFirst;
  private int capLen;
  private boolean capturing;
  private long strBytes;

  JsonScanner(Sink sink, boolean recoverAtNewline) {
    this.sink = sink;
    this.recoverAtNewline = recoverAtNewline;
  }

  int depth() {
    return depth;
  }

  String key(int level) {
    return isArray[level] ? ARRAY : keys[level];
  }

  /** At the root, between values (nothing half-read). */
  boolean atRoot() {
    return depth == 0 && (state == VALUE || state == AFTER);
  }

  boolean failed() {
    return state == ERROR;
  }

  /** Forget everything: the next byte starts a new root value. */
  void reset() {
    state = VALUE;
    depth = 0;
    capturing = false;
  }

  /** End of a document's bytes: a number at the root ends here. */
  void endOfInput() {
    if (state == IN_NUM) {
      endNumber();
    } else if (state == IN_LIT) {
      endLiteral();
    }
  }

  int retainedBytes() {
    return isArray.length + keys.length * 8 + keyBuf.length + numBuf.length + capBuf.length;
  }

  void feed(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    while (i < end) {
      byte c = b[i];
      switch (state) {
        case IN_STR -> {
          // hot loop: most bytes are string contents
          int j = i;
          while (j < end) {
            byte x = b[j];
            if (x == '"' || x == '\\') {
              break;
            }
            j++;
          }
          int n = j - i;
          strBytes += n;
          if (capturing) {
            capture(b, i, n);
          }
          if (j == end) {
            return;
          }
          if (b[j] == '"') {
            state = AFTER;
            String captured = capturing ? new String(capBuf, 0, capLen, StandardCharsets.UTF_8) : null;
            capturing = false;
            sink.string(strBytes, captured);
          } else {
            strBytes++;
            state = STR_ESC;
          }
          i = j + 1;
          continue;
        }
        case STR_ESC -> {
          strBytes++;
          if (capturing) {
            if (c == '/' || c == '"' || c == '\\') {
              capture(b, i, 1);
            } else {
              capturing = false; // \n, \\uXXXX...: never in a model id worth reporting
            }
          }
          state = IN_STR; // \\uXXXX: the hex digits are ordinary bytes
        }
        case IN_KEY -> {
          if (c == '"') {
            keys[depth - 1] = keyLen < 0 ? Keys.OTHER : Keys.lookup(keyBuf, keyLen);
            state = COLON;
          } else if (c == '\\') {
            keyLen = -1;
            state = KEY_ESC;
          } else if (keyLen >= 0) {
            if (keyLen < keyBuf.length) {
              keyBuf[keyLen++] = c;
            } else {
              keyLen = -1;
            }
          }
        }
        case KEY_ESC -> state = IN_KEY;
        case IN_NUM -> {
          if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
            if (numLen < NUMBER_LIMIT) {
              numBuf[numLen] = c;
            }
            numLen++;
          } else {
            endNumber();
            continue; // reprocess c after the value
          }
        }
        case IN_LIT -> {
          if (c >= 'a' && c <= 'z') {
            litLen++;
          } else {
            endLiteral();
            continue;
          }
        }
        case ERROR -> {
          if (recoverAtNewline && c == '\n') {
            reset();
          }
        }
        default -> structural(c);
      }
      i++;
    }
  }

  private void structural(byte c) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      return;
    }
    switch (state) {
      case VALUE, VALUE_OR_END -> {
        if (c == ']' && state == VALUE_OR_END) {
          closeContainer(true);
        } else {
          startValue(c);
        }
      }
      case KEY_OR_END, KEY -> {
        if (c == '"') {
          keyLen = 0;
          state = IN_KEY;
        } else if (c == '}' && state == KEY_OR_END) {
          closeContainer(false);
        } else {
          fail();
        }
      }
      case COLON -> {
        if (c == ':') {
          state = VALUE;
        } else {
          fail();
        }
      }
      case AFTER -> {
        if (depth == 0) {
          startValue(c); // the next root value (NDJSON, concatenated JSON)
        } else if (c == ',') {
          state = isArray[depth - 1] ? VALUE : KEY;
        } else if (c == '}' && !isArray[depth - 1]) {
          closeContainer(false);
        } else if (c == ']' && isArray[depth - 1]) {
          closeContainer(true);
        } else {
          fail();
        }
      }
      default -> fail();
    }
  }

  private void startValue(byte c) {
    switch (c) {
      case '{', '[' -> {
        if (depth == MAX_DEPTH) {
          fail();
          return;
        }
        boolean array = c == '[';
        sink.open(array);
        isArray[depth] = array;
        keys[depth] = null;
        depth++;
        state = array ? VALUE_OR_END : KEY_OR_END;
      }
      case '"' -> {
        strBytes = 0;
        capLen = 0;
        capturing = sink.wantString();
        state = IN_STR;
      }
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
        numBuf[0] = c;
        numLen = 1;
        state = IN_NUM;
      }
      case 't', 'f', 'n' -> {
        litFirst = c;
        litLen = 1;
        state = IN_LIT;
      }
      default -> fail();
    }
  }

  private void closeContainer(boolean array) {
    depth--;
    state = AFTER;
    sink.close(array);
  }

  private void endNumber() {
    state = AFTER;
    sink.number(numBuf, numLen);
  }

  private void endLiteral() {
    int expected = litFirst == 'f' ? 5 : 4;
    if (litLen != expected) {
      fail();
      return;
    }
    state = AFTER;
    sink.literal(litFirst);
  }

  private void capture(byte[] b, int off, int n) {
    if (capLen + n > capBuf.length) {
      capturing = false;
      return;
    }
    System.arraycopy(b, off, capBuf, capLen, n);
    capLen += n;
  }

  private void fail() {
    state = ERROR;
    capturing = false;
    sink.error();
  }
}
