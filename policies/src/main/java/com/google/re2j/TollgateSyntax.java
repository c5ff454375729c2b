package com.google.re2j;

/**
 * Tollgate's own class, in RE2/J's package to reach its parser (package-private): the syntax check of a regular
 * expression without compiling it. {@code Pattern.compile(regex)} is {@code Parser.parse(regex, RE2.PERL)}, then the
 * parsed expression's simplification, its compilation to a program and the program's literal prefix, none of which
 * can refuse an expression the parser accepted; so this accepts and refuses exactly what {@code Pattern.compile}
 * does, with the same exception ({@code TollgateSyntaxTest} compares the two on generated expressions).
 *
 * <p>Why: the policy loader checks every {@code args_regex} in premain, before the app's {@code main}, and only the
 * guard compiles them, when it first needs them. The compilation's first use initialises RE2/J's Unicode tables (a
 * 98 kB class whose initialiser builds every category and script), because its compiler asks for a literal's case
 * folding even without {@code (?i)}: ~7 ms of premain's thread per start for the benchmarks' one-regex policy
 * (async-profiler, docs/benchmarks.md, "Start-up, twentieth pass").
 */
public final class TollgateSyntax {
  private TollgateSyntax() {}

  /** Returns if {@code Pattern.compile(regex)} compiles {@code regex}; throws what it throws if it does not. */
  public static void check(String regex) throws PatternSyntaxException {
    Parser.parse(regex, RE2.PERL);
  }
}
