package dev.tollgate.policy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy files people write, read without a YAML library: block mappings and sequences, single-line flow
 * collections ({@code [a, b]}, {@code { k: v }}), plain and quoted one-line scalars, comments. It builds the same
 * {@link Node} tree, with the same locations and scalar types, as {@link LocatedTreeReader} does through Jackson and
 * SnakeYAML, which cost the agent's {@code premain} about 150 ms of class loading before the app's {@code main} may
 * start; this reader costs a few milliseconds.
 *
 * <p>It never reports an error and never guesses: anything outside that subset, or anything it is not sure how
 * SnakeYAML reads (anchors, aliases, tags, block scalars, multi-line scalars, documents markers, tabs, non-ASCII text,
 * numbers in any but the plainest forms, a malformed line), makes {@link #read} return null, and the caller reads the
 * whole text with {@link LocatedTreeReader} instead, so every message about a malformed file is the library's, as
 * before. {@code PlainYamlReaderTest} holds the two readers to the same tree on every policy file in the repository
 * and on generated documents.
 */
final class PlainYamlReader {
  private final String[] lines;
  private int row; // index into lines of the line being read

  private PlainYamlReader(String[] lines) {
    this.lines = lines;
  }

  /** The document's tree, or null when the text is not (certainly) in the subset this reader handles. */
  static Node read(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x7F || (c < 0x20 && c != '\n' && c != '\r')) {
        return null; // tabs, control characters, non-ASCII: columns and rules left to the library
      }
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.endsWith("\r")) {
        l = l.substring(0, l.length() - 1);
      }
      if (l.indexOf('\r') >= 0) {
        return null;
      }
      lines[i] = l;
    }
    try {
      return new PlainYamlReader(lines).document();
    } catch (Outside e) {
      return null;
    }
  }

  /** Thrown to give up: the text is outside the subset (the caller falls back to the library). */
  private static final class Outside extends Exception {
    private static final long serialVersionUID = 1L;
    static final Outside INSTANCE = new Outside();

    private Outside() {
      super(null, null, false, false);
    }
  }

  private static Outside outside() {
    return Outside.INSTANCE;
  }

  private Node document() throws Outside {
    skipBlank();
    if (row >= lines.length) {
      throw outside(); // empty: the library's message
    }
    String l = lines[row];
    int indent = indent(l);
    if (l.startsWith("---") || l.startsWith("...") || l.startsWith("%")) {
      throw outside();
    }
    Node root;
    if (isSequenceItem(l, indent)) {
      root = sequence(indent, indent, 0);
    } else {
      root = mapping(indent, indent, 0);
    }
    skipBlank();
    if (row < lines.length) {
      throw outside(); // something after the root's last line at a smaller indent: malformed
    }
    return root;
  }

  /** A block mapping whose keys are at {@code column} (0-based); its first key starts at {@code first} on this row. */
  private Node mapping(int column, int first, int depth) throws Outside {
    if (depth >= LocatedTreeReader.MAX_DEPTH) {
      throw outside();
    }
    List<Node.Entry> entries = new ArrayList<>();
    int mapLine = row + 1;
    int start = first;
    while (true) {
      String l = lines[row];
      int keyLine = row + 1;
      int[] pos = {start};
      String key = key(l, pos);
      int colon = pos[0];
      // after "key:"
      int p = skipSpaces(l, colon + 1);
      Node value;
      if (p >= l.length() || l.charAt(p) == '#') {
        if (p < l.length() && p == colon + 1) {
          throw outside(); // "key:#..." is not a comment
        }
        value = nestedOrNull(column, keyLine, colon + 2, depth);
      } else {
        if (p == colon + 1) {
          throw outside(); // "key:value" is one plain scalar in YAML, not a pair
        }
        value = lineValue(l, p, keyLine, depth, column);
      }
      entries.add(new Node.Entry(key, keyLine, start + 1, value));
      int ind = nextIndent(column);
      if (ind < 0) {
        break;
      }
      if (ind > column || isSequenceItem(lines[row], ind)) {
        throw outside();
      }
      start = ind;
    }
    return new Node.Mapping(mapLine, first + 1, List.copyOf(entries));
  }

  /**
   * The value of a key or item with nothing after it on its line: a block on the following lines (more indented, or
   * a sequence at the key's own indent), or null located where the value would have started.
   */
  private Node nestedOrNull(int column, int line, int nullColumn, int depth) throws Outside {
    row++;
    skipBlank();
    if (row < lines.length) {
      String next = lines[row];
      int ind = indent(next);
      if (ind > column) {
        return isSequenceItem(next, ind) ? sequence(ind, ind, depth + 1) : mapping(ind, ind, depth + 1);
      }
      if (ind == column && isSequenceItem(next, ind)) {
        return sequence(ind, ind, depth + 1);
      }
    }
    return new Node.Scalar(line, nullColumn, Node.Kind.NULL, null, "");
  }

  /** A block sequence whose dashes are at {@code column}; the first dash at {@code first} on this row. */
  private Node sequence(int column, int first, int depth) throws Outside {
    if (depth >= LocatedTreeReader.MAX_DEPTH) {
      throw outside();
    }
    List<Node> items = new ArrayList<>();
    int seqLine = row + 1;
    int dash = first;
    while (true) {
      String l = lines[row];
      int itemLine = row + 1;
      int p = skipSpaces(l, dash + 1);
      if (p >= l.length() || l.charAt(p) == '#') {
        throw outside(); // an empty item: rare in a policy, located by the library
      }
      char c = l.charAt(p);
      if (c == '-' && (p + 1 >= l.length() || l.charAt(p + 1) == ' ')) {
        throw outside(); // a sequence inside an item on the same line
      }
      if (c != '[' && c != '{' && c != '"' && c != '\'' && keyAt(l, p)) {
        // "- key: value": a mapping whose keys line up at p
        items.add(mapping(p, p, depth + 1));
      } else if ((c == '"' || c == '\'') && quotedKeyAt(l, p)) {
        items.add(mapping(p, p, depth + 1));
      } else {
        items.add(lineValue(l, p, itemLine, depth, column));
      }
      int ind = nextIndent(column);
      if (ind < 0) {
        break;
      }
      if (ind > column || !isSequenceItem(lines[row], ind)) {
        if (ind == column) {
          break; // a key at the sequence's indent: the sequence was the value of the key above
        }
        throw outside();
      }
      dash = ind;
    }
    return new Node.Sequence(seqLine, first + 1, List.copyOf(items));
  }

  /**
   * A value that ends on its line ({@link #inlineValue}), then past it: the next line may not be more indented than
   * the key or dash ({@code column}) it belongs to (a continuation line or a misplaced block: the library decides).
   */
  private Node lineValue(String l, int p, int line, int depth, int column) throws Outside {
    Node value = inlineValue(l, p, line, depth);
    row++;
    skipBlank();
    if (row < lines.length && indent(lines[row]) > column) {
      throw outside();
    }
    return value;
  }

  /** A value that starts at {@code p} and ends on this line: flow collection, quoted or plain scalar. */
  private Node inlineValue(String l, int p, int line, int depth) throws Outside {
    char c = l.charAt(p);
    int[] end = {p};
    Node value;
    if (c == '[' || c == '{') {
      value = flow(l, end, line, depth + 1);
    } else if (c == '"' || c == '\'') {
      String s = quoted(l, end);
      value = new Node.Scalar(line, p + 1, Node.Kind.STRING, s, s);
    } else {
      int e = plainEnd(l, p);
      String text = l.substring(p, e).stripTrailing();
      if (text.endsWith(":")) {
        throw outside(); // "a: b:" is malformed ("a: b: c" too: plain() gives up on it)
      }
      value = plain(text, line, p + 1);
      end[0] = e;
    }
    int rest = skipSpaces(l, end[0]);
    if (rest < l.length() && !(l.charAt(rest) == '#' && l.charAt(rest - 1) == ' ')) {
      throw outside();
    }
    return value;
  }

  /** A flow collection starting at {@code pos[0]}, which must close on this line; pos[0] ends after it. */
  private Node flow(String l, int[] pos, int line, int depth) throws Outside {
    if (depth >= LocatedTreeReader.MAX_DEPTH) {
      throw outside();
    }
    int open = pos[0];
    boolean map = l.charAt(open) == '{';
    char close = map ? '}' : ']';
    List<Node> items = new ArrayList<>();
    List<Node.Entry> entries = new ArrayList<>();
    int p = skipSpaces(l, open + 1);
    if (p < l.length() && l.charAt(p) == close) {
      pos[0] = p + 1;
      return map ? new Node.Mapping(line, open + 1, List.of()) : new Node.Sequence(line, open + 1, List.of());
    }
    while (true) {
      if (p >= l.length()) {
        throw outside(); // continues on the next line
      }
      if (map) {
        int keyStart = p;
        String key;
        int colon;
        char c = l.charAt(p);
        if (c == '"' || c == '\'') {
          int[] q = {p};
          key = quoted(l, q);
          colon = q[0];
        } else {
          int e = flowPlainEnd(l, p);
          key = l.substring(p, e).stripTrailing();
          checkPlainStart(key);
          colon = e;
        }
        if (key.isEmpty() || colon >= l.length() || l.charAt(colon) != ':') {
          throw outside();
        }
        int v = skipSpaces(l, colon + 1);
        if (v == colon + 1 && v < l.length() && l.charAt(v) != ',' && l.charAt(v) != '}') {
          throw outside();
        }
        Node value;
        int after;
        if (v < l.length() && (l.charAt(v) == ',' || l.charAt(v) == '}')) {
          value = new Node.Scalar(line, colon + 2, Node.Kind.NULL, null, "");
          after = v;
        } else {
          int[] q = {v};
          value = flowItem(l, q, line, depth);
          after = q[0];
        }
        entries.add(new Node.Entry(key, line, keyStart + 1, value));
        p = skipSpaces(l, after);
      } else {
        int[] q = {p};
        items.add(flowItem(l, q, line, depth));
        p = skipSpaces(l, q[0]);
        if (p < l.length() && l.charAt(p) == ':') {
          throw outside(); // a single-pair mapping inside a sequence
        }
      }
      if (p >= l.length()) {
        throw outside();
      }
      char c = l.charAt(p);
      if (c == close) {
        pos[0] = p + 1;
        return map ? new Node.Mapping(line, open + 1, List.copyOf(entries))
            : new Node.Sequence(line, open + 1, List.copyOf(items));
      }
      if (c != ',') {
        throw outside();
      }
      p = skipSpaces(l, p + 1);
      if (p < l.length() && (l.charAt(p) == close || l.charAt(p) == ',')) {
        throw outside(); // a trailing or doubled comma
      }
    }
  }

  /** One value inside a flow collection: a nested collection, a quoted or a plain scalar; pos[0] ends after it. */
  private Node flowItem(String l, int[] pos, int line, int depth) throws Outside {
    int p = pos[0];
    if (p >= l.length()) {
      throw outside();
    }
    char c = l.charAt(p);
    if (c == '[' || c == '{') {
      return flow(l, pos, line, depth + 1);
    }
    if (c == '"' || c == '\'') {
      String s = quoted(l, pos);
      return new Node.Scalar(line, p + 1, Node.Kind.STRING, s, s);
    }
    int e = flowPlainEnd(l, p);
    String text = l.substring(p, e).stripTrailing();
    pos[0] = e;
    return plain(text, line, p + 1);
  }

  /**
   * Where a plain scalar inside a flow collection ends: at , ] } or a colon followed by a space or one of those
   * ({@code mdc:tenant} is one scalar).
   */
  private static int flowPlainEnd(String l, int p) throws Outside {
    int i = p;
    while (i < l.length()) {
      char c = l.charAt(i);
      if (c == ',' || c == ']' || c == '}') {
        break;
      }
      if (c == ':' && (i + 1 == l.length() || " ,[]{}".indexOf(l.charAt(i + 1)) >= 0)) {
        break;
      }
      if (!(Character.isLetterOrDigit(c) || "_.*/+$=~- :".indexOf(c) >= 0)) {
        throw outside(); // the characters a flow scalar may hold are the library's business beyond these
      }
      i++;
    }
    return i;
  }

  /** Where a plain scalar in block context ends: at a comment (" #") or the end of the line. */
  private static int plainEnd(String l, int p) {
    for (int i = p + 1; i < l.length(); i++) {
      if (l.charAt(i) == '#' && l.charAt(i - 1) == ' ') {
        return i;
      }
    }
    return l.length();
  }

  /** A block mapping key starting at {@code pos[0]}; pos[0] ends at its colon. */
  private static String key(String l, int[] pos) throws Outside {
    int p = pos[0];
    char c = l.charAt(p);
    if (c == '"' || c == '\'') {
      String k = quoted(l, pos);
      if (pos[0] >= l.length() || l.charAt(pos[0]) != ':') {
        throw outside();
      }
      return k;
    }
    int colon = keyColon(l, p);
    if (colon < 0) {
      throw outside();
    }
    String k = l.substring(p, colon);
    if (!k.equals(k.stripTrailing()) || k.contains(" #")) {
      throw outside(); // "key :" and the like
    }
    checkPlainStart(k);
    pos[0] = colon;
    return k;
  }

  /** True when a plain "key:" (colon then space or end of line) starts at {@code p}. */
  private static boolean keyAt(String l, int p) {
    return keyColon(l, p) > p;
  }

  private static boolean quotedKeyAt(String l, int p) throws Outside {
    int[] q = {p};
    quoted(l, q);
    return q[0] < l.length() && l.charAt(q[0]) == ':';
  }

  /** The colon of a plain key starting at {@code p} (followed by a space or the end of the line), or -1. */
  private static int keyColon(String l, int p) {
    for (int i = p; i < l.length(); i++) {
      char c = l.charAt(i);
      if (c == '#' && i > p && l.charAt(i - 1) == ' ') {
        return -1;
      }
      if (c == ':' && (i + 1 == l.length() || l.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  /** A quoted scalar starting at {@code pos[0]} and closing on this line; pos[0] ends after the closing quote. */
  private static String quoted(String l, int[] pos) throws Outside {
    int p = pos[0];
    char q = l.charAt(p);
    StringBuilder s = new StringBuilder();
    int i = p + 1;
    while (true) {
      if (i >= l.length()) {
        throw outside(); // continues on the next line
      }
      char c = l.charAt(i);
      if (c == q) {
        if (q == '\'' && i + 1 < l.length() && l.charAt(i + 1) == '\'') {
          s.append('\'');
          i += 2;
          continue;
        }
        pos[0] = i + 1;
        return s.toString();
      }
      if (c == '\\' && q == '"') {
        if (i + 1 >= l.length()) {
          throw outside();
        }
        char e = l.charAt(i + 1);
        switch (e) {
          case '\\' -> s.append('\\');
          case '"' -> s.append('"');
          case '/' -> s.append('/');
          case 'n' -> s.append('\n');
          case 't' -> s.append('\t');
          default -> throw outside();
        }
        i += 2;
        continue;
      }
      s.append(c);
      i++;
    }
  }

  /** A plain scalar's node: the types SnakeYAML and Jackson give the plainest forms; anything doubtful gives up. */
  private static Node plain(String text, int line, int column) throws Outside {
    if (text.isEmpty()) {
      throw outside();
    }
    checkPlainStart(text);
    switch (text) {
      case "true", "True", "TRUE" -> {
        return new Node.Scalar(line, column, Node.Kind.BOOLEAN, Boolean.TRUE, text);
      }
      case "false", "False", "FALSE" -> {
        return new Node.Scalar(line, column, Node.Kind.BOOLEAN, Boolean.FALSE, text);
      }
      case "null", "Null", "NULL", "~" -> {
        return new Node.Scalar(line, column, Node.Kind.NULL, null, "");
      }
      default -> { }
    }
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("true") || lower.equals("false") || lower.equals("null")) {
      throw outside();
    }
    String unsigned = lower.startsWith("-") || lower.startsWith("+") ? lower.substring(1) : lower;
    if (unsigned.equals(".inf") || unsigned.equals(".nan")) {
      throw outside();
    }
    char c = text.charAt(0);
    boolean numeric = Character.isDigit(c) || (c == '.' && text.length() > 1 && Character.isDigit(text.charAt(1)))
        || ((c == '-' || c == '+') && text.length() > 1 && (Character.isDigit(text.charAt(1)) || text.charAt(1) == '.'));
    if (!numeric) {
      return new Node.Scalar(line, column, Node.Kind.STRING, text, text);
    }
    if (isInteger(text)) {
      String digits = text.charAt(0) == '+' ? text.substring(1) : text;
      BigInteger big = new BigInteger(digits);
      Object value = big.bitLength() < 64 ? (Object) big.longValue() : big;
      return new Node.Scalar(line, column, Node.Kind.INTEGER, value, text);
    }
    if (isDecimal(text)) {
      return new Node.Scalar(line, column, Node.Kind.DECIMAL, null, text);
    }
    if (isDuration(text)) {
      return new Node.Scalar(line, column, Node.Kind.STRING, text, text);
    }
    throw outside(); // 0x1F, 1_000, 007, 1e3, dates, versions: the library's rules
  }

  /** -?(0|[1-9][0-9]*), an optional + too. */
  private static boolean isInteger(String t) {
    int i = t.charAt(0) == '-' || t.charAt(0) == '+' ? 1 : 0;
    if (i >= t.length()) {
      return false;
    }
    if (t.charAt(i) == '0') {
      return i + 1 == t.length();
    }
    for (int j = i; j < t.length(); j++) {
      if (!Character.isDigit(t.charAt(j))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Digits then letters, the first not one a YAML number can hold (e, x, o, b): {@code 1m}, {@code 30s},
   * {@code 500ms} are strings under every YAML rule.
   */
  private static boolean isDuration(String t) {
    int i = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i))) {
      i++;
    }
    if (i == 0 || i == t.length() || "eExXoObB".indexOf(t.charAt(i)) >= 0) {
      return false;
    }
    for (int j = i; j < t.length(); j++) {
      char c = t.charAt(j);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }

  /** -?(0|[1-9][0-9]*)\.[0-9]+ */
  private static boolean isDecimal(String t) {
    int i = t.charAt(0) == '-' ? 1 : 0;
    int dot = t.indexOf('.');
    if (dot <= i || dot == t.length() - 1 || !isInteger(t.substring(0, dot))) {
      return false;
    }
    for (int j = dot + 1; j < t.length(); j++) {
      if (!Character.isDigit(t.charAt(j))) {
        return false;
      }
    }
    return true;
  }

  /** Plain scalars that start with an indicator mean something else in YAML (anchors, tags, block scalars...). */
  private static void checkPlainStart(String text) throws Outside {
    if (text.isEmpty()) {
      throw outside();
    }
    char c = text.charAt(0);
    if ("&*!|>%@`?,[]{}#'\"".indexOf(c) >= 0 || (c == '-' && (text.length() == 1 || text.charAt(1) == ' '))
        || c == ':') {
      throw outside();
    }
    if (text.contains(" #") || text.contains(": ")) {
      throw outside();
    }
  }

  /** The indent of the next line of a block at {@code column}, or -1 when the block ends (end of text, or less indent). */
  private int nextIndent(int column) {
    if (row >= lines.length) {
      return -1;
    }
    int ind = indent(lines[row]);
    return ind < column ? -1 : ind;
  }

  private static boolean isSequenceItem(String l, int indent) {
    return indent < l.length() && l.charAt(indent) == '-' && (indent + 1 == l.length() || l.charAt(indent + 1) == ' ');
  }

  private static int indent(String l) {
    int i = 0;
    while (i < l.length() && l.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private static int skipSpaces(String l, int p) {
    while (p < l.length() && l.charAt(p) == ' ') {
      p++;
    }
    return p;
  }

  /** Moves past blank lines and lines holding only a comment. */
  private void skipBlank() {
    while (row < lines.length) {
      String l = lines[row];
      int i = indent(l);
      if (i < l.length() && l.charAt(i) != '#') {
        return;
      }
      row++;
    }
  }
}
