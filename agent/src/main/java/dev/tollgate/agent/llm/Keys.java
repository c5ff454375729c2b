package dev.tollgate.agent.llm;

/**
 * The field names response metering looks at (the formats declare theirs), interned so that path matching is
 * identity comparison with string literals and reading a field name allocates nothing.
 */
final class Keys {
  static final String OTHER = "?";
  static final int MAX_LENGTH = 40;

  // what every format's documents are read for, besides the format's own keys
  static final String MODEL = "model";
  static final String TYPE = "type";
  static final String ERROR = "error";
  /** Ollama's last line: {@code "done": true}. */
  static final String DONE = "done";

  /** The common names and every format's {@link ApiFormat#keys()}, interned. */
  private static final String[] ALL;

  static {
    java.util.Set<String> all = new java.util.LinkedHashSet<>(java.util.List.of(MODEL, TYPE, ERROR, DONE));
    for (ApiFormat f : ApiFormat.values()) {
      all.addAll(f.keys());
    }
    ALL = all.stream().map(String::intern).toArray(String[]::new);
    for (String k : ALL) {
      if (k.length() > MAX_LENGTH) {
        throw new IllegalStateException("key longer than " + MAX_LENGTH + ": " + k);
      }
    }
  }

  /** BY_LENGTH[n]: the names of n bytes, with their bytes. */
  private static final String[][] NAMES_BY_LENGTH = new String[MAX_LENGTH + 1][];
  private static final byte[][][] BYTES_BY_LENGTH = new byte[MAX_LENGTH + 1][][];

  static {
    for (int n = 0; n <= MAX_LENGTH; n++) {
      int count = 0;
      for (String k : ALL) {
        if (k.length() == n) {
          count++;
        }
      }
      NAMES_BY_LENGTH[n] = new String[count];
      BYTES_BY_LENGTH[n] = new byte[count][];
      int i = 0;
      for (String k : ALL) {
        if (k.length() == n) {
          NAMES_BY_LENGTH[n][i] = k;
          BYTES_BY_LENGTH[n][i] = k.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          i++;
        }
      }
    }
  }

  private Keys() {}

  /** The interned name spelled by {@code buf[0..len)}, or {@link #OTHER}. */
  static String lookup(byte[] buf, int len) {
    if (len > MAX_LENGTH) {
      return OTHER;
    }
    byte[][] candidates = BYTES_BY_LENGTH[len];
    outer:
    for (int c = 0; c < candidates.length; c++) {
      byte[] k = candidates[c];
      for (int i = 0; i < len; i++) {
        if (k[i] != buf[i]) {
          continue outer;
        }
      }
      return NAMES_BY_LENGTH[len][c];
    }
    return OTHER;
  }
}
