package dev.tollgate.policy;

import java.util.List;

/**
 * A parsed policy document before validation: mappings, lists and scalars, each with the 1-based line and
 * column where it starts. Mappings keep every entry in file order, duplicates included, so the validator
 * can report them (a generic tree would silently keep the last one).
 */
sealed interface Node permits Node.Mapping, Node.Sequence, Node.Scalar {
  int line();

  int column();

  /** One {@code key: value} pair; line and column are the key's. */
  record Entry(String key, int line, int column, Node value) {}

  record Mapping(int line, int column, List<Entry> entries) implements Node {}

  record Sequence(int line, int column, List<Node> items) implements Node {}

  /**
   * A leaf. {@code value} is a String, Long, BigInteger (integers beyond long), Boolean or null;
   * {@code text} is the scalar as written (for messages).
   */
  record Scalar(int line, int column, Kind kind, Object value, String text) implements Node {}

  enum Kind { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }
}
