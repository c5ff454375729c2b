package dev.tollgate.agent.llm;

/**
 * Where the scanner stands in a response document, relative to the document's root: what a format's
 * {@link ApiFormat#isTextPath}, {@link ApiFormat#slot} and {@link ApiFormat#isModelPath} look at. Keys are interned
 * ({@link Keys}): compare them by identity with literals; array elements read as {@link JsonScanner#ARRAY}.
 */
interface JsonPath {
  /** How deep the current value is below the document root (1 for a root field). */
  int depth();

  /** The key at level {@code i} (0 = the root field). */
  String key(int i);

  /** The key of the current value itself. */
  default String last() {
    return key(depth() - 1);
  }

  default boolean is(String a) {
    return depth() == 1 && key(0) == a;
  }

  default boolean is(String a, String b) {
    return depth() == 2 && key(0) == a && key(1) == b;
  }
}
