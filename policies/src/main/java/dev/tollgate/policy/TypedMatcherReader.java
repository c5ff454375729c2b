package dev.tollgate.policy;

import dev.tollgate.policy.args.ArgumentMatcher;
import dev.tollgate.policy.args.HostPattern;
import dev.tollgate.policy.args.MatchContext;
import dev.tollgate.policy.args.PathRoots;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Reads the object form of a value in {@code args:} ({@code { path_under: [...] }}): exactly one of
 * {@link ArgumentMatcher#KEYS}, checked as strictly as the rest of the language, each problem reported at its
 * line and column through {@code error}.
 */
final class TypedMatcherReader {
  static final int MAX_ITEMS = 100;
  /** Largest magnitude of {@code above} and {@code below}. */
  static final PolicyNumber MAX_BOUND = PolicyNumber.of(1_000_000_000_000_000_000L);
  private static final PolicyNumber MIN_BOUND = PolicyNumber.of(-1_000_000_000_000_000_000L);

  private final BiConsumer<Node, String> error;
  private final MatchContext ctx;

  TypedMatcherReader(BiConsumer<Node, String> error, MatchContext ctx) {
    this.error = error;
    this.ctx = ctx;
  }

  /** The matcher, or null after reporting why there is none. */
  ArgumentMatcher read(Node.Mapping m, String path) {
    if (m.entries().size() != 1) {
      error.accept(m, path + " must have exactly one matcher key (one of " + String.join(", ", ArgumentMatcher.KEYS)
          + "), got " + (m.entries().isEmpty() ? "none" : m.entries().size() + ": "
          + String.join(", ", m.entries().stream().map(Node.Entry::key).toList())));
      return null;
    }
    Node.Entry entry = m.entries().get(0);
    String at = path + "." + entry.key();
    Node value = entry.value();
    return switch (entry.key()) {
      case "path_under", "path_not_under" -> {
        List<String> roots = strings(value, at, "paths such as \"${user.dir}/workspace\"", item -> PathRoots.problem(item, ctx));
        yield roots == null ? null : new ArgumentMatcher.PathUnder(roots, entry.key().equals("path_not_under"));
      }
      case "url_host" -> {
        List<String> hosts = strings(value, at, "loopback, private, link_local, metadata, ranges such as "
            + "\"169.254.0.0/16\" or host globs such as \"*.internal\"", HostPattern::problem);
        yield hosts == null ? null : new ArgumentMatcher.UrlHostIn(hosts);
      }
      case "command_prefix" -> {
        List<String> prefixes = strings(value, at, "program names and words such as \"rm\" or \"git push\"",
            ArgumentMatcher.CommandPrefix::problem);
        yield prefixes == null ? null : new ArgumentMatcher.CommandPrefix(prefixes);
      }
      case "above", "below" -> {
        BigDecimal bound = bound(value, at);
        yield bound == null ? null : new ArgumentMatcher.Bound(bound, entry.key().equals("below"));
      }
      case "regex" -> {
        String regex = regex(value, at);
        yield regex == null ? null : new ArgumentMatcher.Regex(regex);
      }
      case "glob" -> {
        if (!(value instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
          error.accept(value, at + " must be a string (a glob on the argument's value as text), got "
              + PolicyValidator.describe(value));
          yield null;
        }
        String problem = Glob.problem((String) s.value());
        if (problem != null) {
          error.accept(value, at + " " + problem);
          yield null;
        }
        yield new ArgumentMatcher.TextGlob((String) s.value());
      }
      default -> {
        error.accept(value, path + ": unknown matcher " + PolicyValidator.quote(entry.key()) + "; expected one of "
            + String.join(", ", ArgumentMatcher.KEYS));
        yield null;
      }
    };
  }

  /** An RE2 regular expression as {@code args_regex} takes it, or null after reporting. */
  String regex(Node value, String at) {
    if (!(value instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING || ((String) s.value()).isEmpty()) {
      error.accept(value, at + " must be a non-empty string (a regular expression), got " + PolicyValidator.shown(value));
      return null;
    }
    String regex = (String) s.value();
    if (regex.length() > PolicyValidator.MAX_REGEX_LENGTH) {
      error.accept(value, at + " must be at most " + PolicyValidator.MAX_REGEX_LENGTH + " characters long, got "
          + regex.length());
      return null;
    }
    try {
      // the syntax check alone (the guard compiles it when it first needs it): what Pattern.compile(regex) refuses; the
      // DOTALL the guard compiles with does not change the syntax, and without it the messages stay plain
      com.google.re2j.TollgateSyntax.check(regex);
      return regex;
    } catch (com.google.re2j.PatternSyntaxException e) {
      error.accept(value, at + " is not a valid regular expression (RE2 syntax): " + e.getDescription()
          + (e.getPattern() == null || e.getPattern().equals(regex) ? "" : " at " + PolicyValidator.quote(e.getPattern())));
      return null;
    }
  }

  private BigDecimal bound(Node value, String at) {
    PolicyNumber n = PolicyValidator.number(value);
    if (n != null && n.compareTo(MAX_BOUND) <= 0 && n.compareTo(MIN_BOUND) >= 0) {
      return n.toBigDecimal(); // the matcher compares arguments as BigDecimals: a policy with a bound pays for it
    }
    String hint = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
        ? " (a string; write the number without quotes)" : "";
    error.accept(value, at + " must be a number between -1e18 and 1e18, got " + PolicyValidator.shown(value) + hint);
    return null;
  }

  /** A non-empty list of strings (or one string), each checked by {@code problem}; null after reporting. */
  private List<String> strings(Node value, String at, String what, java.util.function.Function<String, String> problem) {
    List<Node> items;
    if (value instanceof Node.Sequence seq) {
      items = seq.items();
    } else if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING) {
      items = List.of(value);
    } else {
      error.accept(value, at + " must be a list of strings (" + what + "), got " + PolicyValidator.describe(value));
      return null;
    }
    if (items.isEmpty() || items.size() > MAX_ITEMS) {
      error.accept(value, at + " must list 1 to " + MAX_ITEMS + " entries (" + what + "), got " + items.size());
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String itemAt = at + "[" + i + "]";
      if (!(item instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
        error.accept(item, itemAt + " must be a string (" + what + "), got " + PolicyValidator.describe(item));
        ok = false;
        continue;
      }
      String why = problem.apply((String) s.value());
      if (why != null) {
        error.accept(item, itemAt + " " + why);
        ok = false;
        continue;
      }
      out.add((String) s.value());
    }
    return ok ? out : null;
  }
}
