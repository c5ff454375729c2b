package dev.tollgate.policy;

import java.util.Set;

/** Syntax of {@code runs.entry_points}: {@code <binary class name>#<method name>}. */
final class EntryPoints {
  private static final Set<String> KEYWORDS = Set.of(
      "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
      "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
      "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
      "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
      "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "_");
  static final int MAX_LENGTH = 512;

  private EntryPoints() {}

  /** Why {@code text} is not an entry point, or null when it is one. */
  static String problem(String text) {
    if (text.length() > MAX_LENGTH) {
      return "got " + text.length() + " characters (at most " + MAX_LENGTH + ")";
    }
    int hash = text.indexOf('#');
    if (hash < 0) {
      return "got " + PolicyValidator.quote(text) + ", which has no '#' before the method name";
    }
    if (text.indexOf('#', hash + 1) >= 0) {
      return "got " + PolicyValidator.quote(text) + ", which has more than one '#'";
    }
    String className = text.substring(0, hash);
    String method = text.substring(hash + 1);
    if (className.isEmpty()) {
      return "got " + PolicyValidator.quote(text) + ", which has no class name";
    }
    for (String segment : className.split("\\.", -1)) {
      if (!isIdentifier(segment)) {
        return "got " + PolicyValidator.quote(text) + "; " + PolicyValidator.quote(segment)
            + " is not a Java identifier in the class name";
      }
    }
    if (!isIdentifier(method)) {
      String hint = method.contains("(") ? " (write the method name only; every overload is an entry point)" : "";
      return "got " + PolicyValidator.quote(text) + "; " + PolicyValidator.quote(method)
          + " is not a Java method name" + hint;
    }
    return null;
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || KEYWORDS.contains(s) || !Character.isJavaIdentifierStart(s.codePointAt(0))) {
      return false;
    }
    for (int i = Character.charCount(s.codePointAt(0)); i < s.length(); i += Character.charCount(s.codePointAt(i))) {
      int c = s.codePointAt(i);
      if (!Character.isJavaIdentifierPart(c) || Character.isIdentifierIgnorable(c)) {
        return false;
      }
    }
    return true;
  }
}
