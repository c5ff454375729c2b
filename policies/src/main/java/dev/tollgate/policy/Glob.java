package dev.tollgate.policy;

/**
 * A glob on tool names: {@code *} matches any run of characters (including none), {@code ?} exactly one,
 * every other character only itself. The whole name must match, and matching is case-sensitive
 * ({@code Delete_*} does not match {@code delete_file}). There is no escape character and no {@code [...]}
 * class: tool names are identifiers, so a literal {@code *} or {@code ?} in a name is not worth the syntax.
 *
 * <p>Matching is the iterative two-pointer algorithm with one backtrack point (the latest {@code *}),
 * so it runs in O(glob length x name length) at worst and never recurses: names come from the model.
 */
public final class Glob {
  /** Longest glob a policy may contain; keeps the worst case of {@link #matches} small. */
  public static final int MAX_LENGTH = 256;

  private final String pattern;

  private Glob(String pattern) {
    this.pattern = pattern;
  }

  /**
   * Compiles a glob.
   *
   * @throws IllegalArgumentException when {@link #problem(String)} finds one
   */
  public static Glob of(String pattern) {
    String problem = problem(pattern);
    if (problem != null) {
      throw new IllegalArgumentException("invalid glob \"" + pattern + "\": " + problem);
    }
    return new Glob(pattern);
  }

  /**
   * Why {@code pattern} is not a valid glob, or null when it is. Valid globs are 1 to {@link #MAX_LENGTH}
   * characters of printable ASCII (space to tilde).
   */
  public static String problem(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      return "must not be empty";
    }
    if (pattern.length() > MAX_LENGTH) {
      return "must be at most " + MAX_LENGTH + " characters long, got " + pattern.length();
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return "may contain only printable ASCII characters, found "
            + String.format("U+%04X", (int) c) + " at position " + (i + 1);
      }
    }
    return null;
  }

  /**
   * True when this glob matches a tool name: the whole name, or, for a tool named {@code server/tool} (MCP tools
   * as Tollgate names them), the part after the last {@code /} as well. So {@code "delete_*"} also covers
   * {@code files/delete_file}, while {@code "files/*"} covers only that server's tools.
   */
  public boolean matchesTool(String name) {
    if (matches(name)) {
      return true;
    }
    int slash = name == null ? -1 : name.lastIndexOf('/');
    return slash >= 0 && matches(name.substring(slash + 1));
  }

  /** True when the whole of {@code name} matches this glob. A null name matches nothing. */
  public boolean matches(String name) {
    if (name == null) {
      return false;
    }
    int p = 0;
    int n = 0;
    int starP = -1; // position in pattern just after the latest '*'
    int starN = 0; // position in name that latest '*' has consumed up to
    while (n < name.length()) {
      if (p < pattern.length()) {
        char c = pattern.charAt(p);
        if (c == '*') {
          starP = ++p;
          starN = n;
          continue;
        }
        if (c == '?' || c == name.charAt(n)) {
          p++;
          n++;
          continue;
        }
      }
      if (starP < 0) {
        return false;
      }
      // Let the latest '*' swallow one more character and retry from just after it.
      p = starP;
      n = ++starN;
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** The glob as written in the policy. */
  public String pattern() {
    return pattern;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Glob g && g.pattern.equals(pattern);
  }

  @Override
  public int hashCode() {
    return pattern.hashCode();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
