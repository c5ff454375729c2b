package dev.tollgate.policy.args;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roots of {@code path_under} and {@code path_not_under}: paths that may use {@code ${user.dir}},
 * {@code ${user.home}}, {@code ${env:NAME}} and a leading {@code ~}, resolved when the policy is loaded.
 */
public final class PathRoots {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern ENV_NAME = Pattern.compile("env:[A-Za-z_][A-Za-z0-9_]*");

  private PathRoots() {}

  /** Why {@code root} is not a valid root in {@code ctx}, or null. */
  public static String problem(String root, MatchContext ctx) {
    if (root == null || root.isBlank()) {
      return "must be a non-empty path";
    }
    if (root.length() > CanonicalPath.MAX_LENGTH) {
      return "must be at most " + CanonicalPath.MAX_LENGTH + " characters long";
    }
    Matcher m = PLACEHOLDER.matcher(root);
    while (m.find()) {
      String name = m.group(1);
      if (!name.equals("user.dir") && !name.equals("user.home") && !ENV_NAME.matcher(name).matches()) {
        return "may use ${user.dir}, ${user.home} and ${env:NAME}, got ${" + name + "}";
      }
      if (name.startsWith("env:") && ctx.env().apply(name.substring(4)) == null) {
        return "uses ${" + name + "} but the environment variable " + name.substring(4) + " is not set";
      }
    }
    String expanded = expand(root, ctx);
    if (expanded == null) {
      return "is not a path";
    }
    CanonicalPath.Result read = CanonicalPath.of(expanded, ctx);
    return read instanceof CanonicalPath.Problem p ? "is not a path Tollgate can read: " + p.why() : null;
  }

  /** The root with its placeholders replaced, or null when one cannot be. */
  static String expand(String root, MatchContext ctx) {
    Matcher m = PLACEHOLDER.matcher(root);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = switch (name) {
        case "user.dir" -> ctx.workDir().toString();
        case "user.home" -> ctx.home().toString();
        default -> name.startsWith("env:") ? ctx.env().apply(name.substring(4)) : null;
      };
      if (value == null) {
        return null;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
