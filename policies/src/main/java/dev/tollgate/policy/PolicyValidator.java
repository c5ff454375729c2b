package dev.tollgate.policy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a {@link Node} tree against policy language v1 and builds the {@link Policy}. Every problem is
 * collected with its location; a policy is returned only when there are none. Messages name keys by
 * their path in the file ({@code limits[0].max_calls}) and say what was expected.
 */
final class PolicyValidator {
  static final List<String> TOP_KEYS = List.of("version", "mode", "tools", "limits", "log");
  static final List<String> TOOLS_KEYS = List.of("default", "allow", "deny");
  static final List<String> LIMIT_KEYS = List.of("name", "scope", "tools", "max_calls", "on_exceed");
  static final List<String> LOG_KEYS = List.of("path");
  static final int MAX_NAME_LENGTH = 128;

  /** Keys of the full design that this version does not implement yet: said plainly rather than "unknown". */
  private static final List<String> PLANNED = List.of(
      "profile", "profiles", "budgets", "pricing", "providers", "runs", "ledger", "rules",
      "window", "llm", "max_identical", "per", "warn_at");

  private final String file;
  private final List<PolicyError> errors = new ArrayList<>();

  private PolicyValidator(String file) {
    this.file = file;
  }

  static Policy validate(Node root, String file) throws PolicyException {
    return new PolicyValidator(file).validate(root);
  }

  private Policy validate(Node root) throws PolicyException {
    Policy policy = null;
    if (!(root instanceof Node.Mapping top)) {
      error(root, "a policy must be a mapping of " + String.join(", ", TOP_KEYS) + "; got " + describe(root));
    } else {
      Map<String, Node.Entry> keys = keys(top, "the top level", TOP_KEYS);
      int version = version(top, keys.get("version"));
      Mode mode = keys.containsKey("mode")
          ? enumValue(keys.get("mode").value(), "mode", Mode.class, Mode.ENFORCE) : Mode.ENFORCE;
      ToolRules tools = keys.containsKey("tools")
          ? tools(keys.get("tools").value()) : new ToolRules(Access.ALLOW, List.of(), List.of());
      List<Limit> limits = keys.containsKey("limits") ? limits(keys.get("limits").value()) : List.of();
      LogSettings log = keys.containsKey("log") ? log(keys.get("log").value()) : new LogSettings(null);
      policy = new Policy(file, version, mode, tools, limits, log);
    }
    if (!errors.isEmpty()) {
      List<PolicyError> sorted = new ArrayList<>(errors);
      sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
      throw new PolicyException(sorted);
    }
    return policy;
  }

  private int version(Node.Mapping top, Node.Entry entry) {
    if (entry == null) {
      error(top, "missing required key \"version\"; the first line of a policy is version: 1");
      return 1;
    }
    Node value = entry.value();
    if (value instanceof Node.Scalar s && s.kind() == Node.Kind.INTEGER && Long.valueOf(1).equals(s.value())) {
      return 1;
    }
    String hint = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? " (a string; write 1 without quotes)" : "";
    error(value, "version must be 1 (the only version of the policy language), got " + shown(value) + hint);
    return 1;
  }

  private ToolRules tools(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "tools must be a mapping with default, allow, deny; got " + describe(node));
      return new ToolRules(Access.ALLOW, List.of(), List.of());
    }
    Map<String, Node.Entry> keys = keys(m, "tools", TOOLS_KEYS);
    Access access = keys.containsKey("default")
        ? enumValue(keys.get("default").value(), "tools.default", Access.class, Access.ALLOW) : Access.ALLOW;
    List<String> allow = keys.containsKey("allow") ? globs(keys.get("allow").value(), "tools.allow") : List.of();
    List<String> deny = keys.containsKey("deny") ? globs(keys.get("deny").value(), "tools.deny") : List.of();
    return new ToolRules(access, allow, deny);
  }

  private List<String> globs(Node node, String path) {
    if (!(node instanceof Node.Sequence seq)) {
      String hint = node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
          ? " (write [" + quote(s.text()) + "] for a single glob)"
          : node instanceof Node.Scalar s && s.kind() == Node.Kind.NULL ? " (write [] for none)" : "";
      error(node, path + " must be a list of strings, got " + describe(node) + hint);
      return List.of();
    }
    List<String> globs = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      String glob = glob(seq.items().get(i), path + "[" + i + "]");
      if (glob != null) {
        globs.add(glob);
      }
    }
    return globs;
  }

  private String glob(Node node, String path) {
    if (!(node instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
      error(node, path + " must be a string (a glob such as \"read_*\"), got " + describe(node));
      return null;
    }
    String problem = Glob.problem((String) s.value());
    if (problem != null) {
      error(node, path + " " + problem);
      return null;
    }
    return (String) s.value();
  }

  private List<Limit> limits(Node node) {
    if (!(node instanceof Node.Sequence seq)) {
      error(node, "limits must be a list of mappings (each with name, scope, max_calls), got " + describe(node));
      return List.of();
    }
    List<Limit> limits = new ArrayList<>();
    Map<String, Integer> firstIndexOfName = new HashMap<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String path = "limits[" + i + "]";
      if (!(item instanceof Node.Mapping m)) {
        error(item, path + " must be a mapping with name, scope, max_calls, got " + describe(item));
        continue;
      }
      int before = errors.size();
      Map<String, Node.Entry> keys = keys(m, path, LIMIT_KEYS);
      for (String required : List.of("name", "scope", "max_calls")) {
        if (!keys.containsKey(required)) {
          error(m, path + ": missing required key \"" + required + "\"");
        }
      }
      String name = keys.containsKey("name") ? limitName(keys.get("name").value(), path + ".name") : null;
      if (name != null) {
        Integer other = firstIndexOfName.putIfAbsent(name, i);
        if (other != null) {
          error(keys.get("name").value(), path + ".name " + quote(name) + " duplicates limits[" + other + "].name");
        }
      }
      Scope scope = keys.containsKey("scope")
          ? enumValue(keys.get("scope").value(), path + ".scope", Scope.class, null) : null;
      String tools = keys.containsKey("tools") ? glob(keys.get("tools").value(), path + ".tools") : "*";
      long maxCalls = keys.containsKey("max_calls") ? count(keys.get("max_calls").value(), path + ".max_calls") : -1;
      OnExceed onExceed = keys.containsKey("on_exceed")
          ? enumValue(keys.get("on_exceed").value(), path + ".on_exceed", OnExceed.class, OnExceed.BLOCK)
          : OnExceed.BLOCK;
      if (errors.size() == before) {
        limits.add(new Limit(i, name, scope, tools, maxCalls, onExceed));
      }
    }
    return limits;
  }

  private String limitName(Node node, String path) {
    String name = node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
    boolean ok = name != null && !name.isEmpty() && name.length() <= MAX_NAME_LENGTH;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }
    if (!ok) {
      error(node, path + " must be a string of 1 to " + MAX_NAME_LENGTH
          + " letters, digits, '_', '.' or '-', got " + shown(node));
      return null;
    }
    return name;
  }

  private long count(Node node, String path) {
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.INTEGER && s.value() instanceof Long n && n >= 0) {
      return n;
    }
    String got = shown(node);
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING) {
      got += " (a string; write the number without quotes)";
    } else if (node instanceof Node.Scalar s && s.value() instanceof BigInteger b && b.signum() > 0) {
      got += " (too large; at most " + Long.MAX_VALUE + ")";
    }
    error(node, path + " must be an integer >= 0, got " + got);
    return -1;
  }

  private LogSettings log(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "log must be a mapping with path, got " + describe(node));
      return new LogSettings(null);
    }
    Map<String, Node.Entry> keys = keys(m, "log", LOG_KEYS);
    if (!keys.containsKey("path")) {
      return new LogSettings(null);
    }
    Node value = keys.get("path").value();
    if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && !((String) s.value()).isBlank()) {
      return new LogSettings((String) s.value());
    }
    error(value, "log.path must be a non-empty string (a file path), got " + shown(value));
    return new LogSettings(null);
  }

  private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, E fallback) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      String name = constant.name().toLowerCase(Locale.ROOT);
      names.add(name);
      if (node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && name.equals(s.value())) {
        return constant;
      }
    }
    error(node, path + " must be one of " + String.join(", ", names) + "; got " + shown(node));
    return fallback;
  }

  /** The first entry of each allowed key; reports duplicates and unknown keys. */
  private Map<String, Node.Entry> keys(Node.Mapping mapping, String where, List<String> allowed) {
    Map<String, Node.Entry> keys = new LinkedHashMap<>();
    for (Node.Entry entry : mapping.entries()) {
      if (keys.containsKey(entry.key())) {
        error(entry, "duplicate key " + quote(entry.key()) + " in " + where);
      } else if (!allowed.contains(entry.key())) {
        String planned = PLANNED.contains(entry.key()) ? " (not supported by this version of Tollgate yet)" : "";
        String nearest = nearest(entry.key(), allowed);
        error(entry, "unknown key " + quote(entry.key()) + " in " + where + planned + "; expected one of "
            + String.join(", ", allowed) + (nearest == null ? "" : "; did you mean " + quote(nearest) + "?"));
      } else {
        keys.put(entry.key(), entry);
      }
    }
    return keys;
  }

  /** The allowed key closest to {@code key} by edit distance, if within 2. */
  static String nearest(String key, List<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      int d = editDistance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  static int editDistance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** What kind of thing a node is, for "must be X, got Y". */
  static String describe(Node node) {
    if (node instanceof Node.Mapping) {
      return "a mapping";
    }
    if (node instanceof Node.Sequence) {
      return "a list";
    }
    return switch (((Node.Scalar) node).kind()) {
      case STRING -> "a string";
      case INTEGER, DECIMAL -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "an empty value";
    };
  }

  /** The value as written when it is a scalar, else its kind. */
  static String shown(Node node) {
    if (node instanceof Node.Scalar s) {
      return switch (s.kind()) {
        case STRING -> quote(s.text());
        case INTEGER, DECIMAL, BOOLEAN -> s.text();
        case NULL -> "an empty value";
      };
    }
    return describe(node);
  }

  /** A double-quoted, escaped, length-capped rendering of user text. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    int limit = Math.min(text.length(), 60);
    for (int i = 0; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (text.length() > limit) {
      out.append("...");
    }
    return out.append('"').toString();
  }

  private void error(Node node, String message) {
    errors.add(new PolicyError(file, node.line(), node.column(), message));
  }

  private void error(Node.Entry entry, String message) {
    errors.add(new PolicyError(file, entry.line(), entry.column(), message));
  }
}
