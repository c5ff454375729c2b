package dev.tollgate.policy;

import java.math.BigInteger;
import java.time.Duration;
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
  static final List<String> TOP_KEYS = List.of(
      "version", "mode", "profile", "tools", "profiles", "limits", "budgets", "pricing", "providers", "runs", "ledger",
      "log", "coverage", "metrics");
  /** Top-level keys of a governance file. */
  static final List<String> GOVERNANCE_TOP_KEYS = List.of(
      "version", "mode", "lock", "fail_mode", "profile", "tools", "profiles", "limits", "budgets", "coverage");
  /** Top-level keys a governance file may not set: they are the app's own, one per JVM. */
  static final List<String> APP_ONLY_KEYS = List.of("pricing", "providers", "runs", "ledger", "log", "metrics");
  static final List<String> TOOLS_KEYS = List.of("default", "allow", "deny", "rules", "mcp_servers");
  static final List<String> RULE_KEYS = List.of("tool", "args", "args_regex", "decision", "reason");
  static final List<String> PROFILE_KEYS = List.of("tools");
  static final List<String> LIMIT_KEYS = List.of(
      "name", "scope", "tools", "llm", "max_calls", "max_identical", "window", "per", "on_exceed", "approval");
  static final List<String> BUDGET_KEYS = List.of(
      "name", "scope", "max_usd", "max_tokens", "warn_at", "on_exceed", "per", "models", "approval");
  static final List<String> APPROVAL_KEYS = List.of("timeout", "on_timeout");
  static final Duration MAX_APPROVAL_TIMEOUT = Duration.ofHours(24);
  static final List<String> PRICING_KEYS = List.of("unknown_model", "default_max_output_tokens", "models");
  static final List<String> MODEL_RATE_KEYS = List.of(
      "input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "reasoning_per_mtok");
  static final List<String> UNKNOWN_RATE_KEYS = List.of(
      "input_per_mtok", "output_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok");
  static final List<String> PROVIDER_KEYS = List.of("base_url", "format", "name");
  static final List<String> PROVIDER_FORMATS = List.of("openai", "anthropic", "gemini", "ollama", "azure-openai");
  static final List<String> LEDGER_KEYS = List.of("dir", "time_zone", "store", "redis", "key_file");
  static final List<String> REDIS_KEYS = List.of("url", "key_prefix", "timeout", "on_unavailable", "hold_ttl");
  /** Longest {@code ledger.redis.timeout}: a host thread never waits longer than this per Redis command. */
  static final Duration MAX_REDIS_TIMEOUT = Duration.ofSeconds(10);
  /** Longest {@code ledger.redis.hold_ttl}. */
  static final Duration MAX_HOLD_TTL = Duration.ofHours(24);
  static final List<String> COVERAGE_KEYS = List.of("require");
  static final List<String> COVERAGE_NEEDS = List.of("llm", "tools");
  /** Largest {@code max_usd}: a billion dollars (10^18 nano-USD, well inside a long). */
  static final PolicyNumber MAX_USD = PolicyNumber.of(1_000_000_000L);
  /** Largest price per million tokens. */
  static final PolicyNumber MAX_PER_MTOK = PolicyNumber.of(1_000_000L);
  private static final PolicyNumber ONE = PolicyNumber.of(1);
  private static final PolicyNumber HUNDRED = PolicyNumber.of(100);
  /** Largest {@code pricing.default_max_output_tokens}. */
  static final long MAX_OUTPUT_TOKENS = 100_000_000L;
  /** Most {@code warn_at} fractions per budget. */
  static final int MAX_WARN_AT = 10;
  static final List<String> RUNS_KEYS = List.of("entry_points");
  static final List<String> LOG_KEYS = List.of("path");
  static final List<String> METRICS_KEYS = List.of("prometheus");
  static final List<String> PROMETHEUS_KEYS = List.of("host", "port");
  static final int MAX_NAME_LENGTH = 128;
  /** Longest regular expression in {@code args_regex}; keeps compiled RE2 programs small. */
  static final int MAX_REGEX_LENGTH = 1024;
  /** Longest {@code reason} of an argument rule; it is shown to the model. */
  static final int MAX_REASON_LENGTH = 1000;
  /** Longest {@code window}. */
  static final Duration MAX_WINDOW = Duration.ofHours(24);

  private final String file;
  private final boolean governance;
  private final List<PolicyError> errors = new ArrayList<>();

  private final TypedMatcherReader typedMatchers = new TypedMatcherReader(new Errors(),
      dev.tollgate.policy.args.MatchContext.system());

  /** Where the typed matchers' reader reports (a class, not a method reference: policies are read in premain). */
  private final class Errors implements java.util.function.BiConsumer<Node, String> {
    @Override
    public void accept(Node node, String message) {
      error(node, message);
    }
  }

  private PolicyValidator(String file, boolean governance) {
    this.file = file;
    this.governance = governance;
  }

  static Policy validate(Node root, String file) throws PolicyException {
    return new PolicyValidator(file, false).validate(root);
  }

  /** A governance file: {@code lock} and {@code fail_mode} are its own; the app's own settings are refused. */
  static Policy validateGovernance(Node root, String file) throws PolicyException {
    return new PolicyValidator(file, true).validate(root);
  }

  private Policy validate(Node root) throws PolicyException {
    Policy policy = null;
    if (!(root instanceof Node.Mapping top)) {
      error(root, "a policy must be a mapping of " + String.join(", ", TOP_KEYS) + "; got " + describe(root));
    } else {
      Map<String, Node.Entry> keys = keys(ownKeys(top), "the top level", governance ? GOVERNANCE_TOP_KEYS : TOP_KEYS);
      int version = version(top, keys.get("version"));
      Mode mode = keys.containsKey("mode")
          ? enumValue(keys.get("mode").value(), "mode", Mode.class, Mode.ENFORCE) : Mode.ENFORCE;
      ToolRules tools = keys.containsKey("tools")
          ? tools(keys.get("tools").value(), "tools") : new ToolRules(Access.ALLOW, List.of(), List.of());
      Map<String, ToolRules> profiles = keys.containsKey("profiles")
          ? profiles(keys.get("profiles").value()) : Map.of();
      String profile = keys.containsKey("profile") ? profile(keys.get("profile").value(), profiles) : null;
      List<Limit> limits = keys.containsKey("limits") ? limits(keys.get("limits").value()) : List.of();
      List<EntryPoint> entryPoints = keys.containsKey("runs") ? runs(keys.get("runs").value()) : List.of();
      LogSettings log = keys.containsKey("log") ? log(keys.get("log").value()) : new LogSettings(null);
      List<Budget> budgets = keys.containsKey("budgets") ? budgets(keys.get("budgets").value()) : List.of();
      Pricing pricing = keys.containsKey("pricing") ? pricing(keys.get("pricing").value()) : Pricing.DEFAULT;
      List<ProviderEndpoint> providers = keys.containsKey("providers")
          ? providers(keys.get("providers").value()) : List.of();
      LedgerSettings ledger = keys.containsKey("ledger") ? ledger(keys.get("ledger").value()) : LedgerSettings.DEFAULT;
      Coverage coverage = keys.containsKey("coverage") ? coverage(keys.get("coverage").value()) : Coverage.DEFAULT;
      MetricsSettings metrics = keys.containsKey("metrics")
          ? metrics(keys.get("metrics").value()) : MetricsSettings.DEFAULT;
      ToolRules active = profile != null && profiles.containsKey(profile) ? profiles.get(profile) : tools;
      Header header = header(keys);
      policy = new Policy(file, version, mode, active, limits, log, profile, profiles, entryPoints, budgets, pricing,
          providers, ledger, coverage, metrics, header, Governance.NONE);
    }
    if (!errors.isEmpty()) {
      List<PolicyError> sorted = new ArrayList<>(errors);
      sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
      throw new PolicyException(sorted);
    }
    return policy;
  }

  /**
   * The top-level entries this kind of file may have; the others (an app's {@code lock}, a governance file's
   * {@code ledger}, ...) are reported here with why, rather than as unknown keys.
   */
  private Node.Mapping ownKeys(Node.Mapping top) {
    List<Node.Entry> kept = new ArrayList<>();
    for (Node.Entry e : top.entries()) {
      if (!governance && (e.key().equals("lock") || e.key().equals("fail_mode"))) {
        error(e, e.key() + " is for governance files (governance=DIR), not for an app's policy: "
            + (e.key().equals("lock") ? "the organisation locks keys, the app cannot"
                : "the app's fail mode is the agent's fail-mode setting"));
      } else if (governance && APP_ONLY_KEYS.contains(e.key())) {
        error(e, e.key() + " is the app's own setting (one per JVM) and cannot be set by a governance file; "
            + "a governance file may set " + String.join(", ", GOVERNANCE_TOP_KEYS));
      } else {
        kept.add(e);
      }
    }
    return new Node.Mapping(top.line(), top.column(), kept);
  }

  /** {@code lock}, {@code fail_mode} and where the lockable keys are set. */
  private Header header(Map<String, Node.Entry> keys) {
    Map<String, String> setAt = new LinkedHashMap<>();
    for (String[] key : new String[][] {{"mode", "mode"}, {"fail-mode", "fail_mode"}, {"profile", "profile"}}) {
      Node.Entry e = keys.get(key[1]);
      if (e != null) {
        setAt.put(key[0], e.line() + ":" + e.column());
      }
    }
    List<String> lock = new ArrayList<>();
    String failMode = null;
    if (governance) {
      Node.Entry lockEntry = keys.get("lock");
      if (lockEntry != null) {
        if (!(lockEntry.value() instanceof Node.Sequence seq)) {
          error(lockEntry.value(), "lock must be a list of " + String.join(", ", Header.LOCKABLE) + "; got "
              + describe(lockEntry.value()));
        } else {
          for (Node item : seq.items()) {
            if (item instanceof Node.Scalar sc && sc.kind() == Node.Kind.STRING
                && Header.LOCKABLE.contains((String) sc.value())) {
              if (lock.contains((String) sc.value())) {
                error(item, "lock names " + quote((String) sc.value()) + " twice");
              } else {
                lock.add((String) sc.value());
              }
            } else {
              String got = item instanceof Node.Scalar sc && sc.value() instanceof String v ? v : null;
              String nearest = got == null ? null : nearest(got, Header.LOCKABLE);
              error(item, "lock entries must be one of " + String.join(", ", Header.LOCKABLE) + "; got " + shown(item)
                  + (nearest == null ? "" : "; did you mean " + quote(nearest) + "?"));
            }
          }
        }
      }
      Node.Entry fm = keys.get("fail_mode");
      if (fm != null) {
        if (fm.value() instanceof Node.Scalar sc && ("open".equals(sc.value()) || "closed".equals(sc.value()))) {
          failMode = (String) sc.value();
        } else {
          error(fm.value(), "fail_mode must be one of open, closed; got " + shown(fm.value()));
        }
      }
    }
    return new Header(lock, failMode, setAt);
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

  private ToolRules tools(Node node, String path) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, path + " must be a mapping with default, allow, deny, rules, mcp_servers; got " + describe(node));
      return new ToolRules(Access.ALLOW, List.of(), List.of(), List.of(), path);
    }
    Map<String, Node.Entry> keys = keys(m, path, TOOLS_KEYS);
    Access access = keys.containsKey("default")
        ? enumValue(keys.get("default").value(), path + ".default", Access.class, Access.ALLOW) : Access.ALLOW;
    List<String> allow = keys.containsKey("allow") ? globs(keys.get("allow").value(), path + ".allow") : List.of();
    List<String> deny = keys.containsKey("deny") ? globs(keys.get("deny").value(), path + ".deny") : List.of();
    List<ArgumentRule> rules = keys.containsKey("rules") ? rules(keys.get("rules").value(), path + ".rules") : List.of();
    Map<String, String> mcpServers = keys.containsKey("mcp_servers")
        ? mcpServers(keys.get("mcp_servers").value(), path + ".mcp_servers") : Map.of();
    return new ToolRules(access, allow, deny, rules, path, mcpServers);
  }

  /**
   * {@code mcp_servers}: a glob on an MCP connection as the app configured it (stdio command line or URL) to the
   * server name its tools are called by.
   */
  private Map<String, String> mcpServers(Node node, String path) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, path + " must be a mapping of connection glob (\"*server-filesystem*\", \"http://127.0.0.1:3001/*\")"
          + " to server name, got " + describe(node));
      return Map.of();
    }
    Map<String, String> servers = new LinkedHashMap<>();
    for (Node.Entry entry : m.entries()) {
      String problem = Glob.problem(entry.key());
      if (servers.containsKey(entry.key())) {
        error(entry, "duplicate key " + quote(entry.key()) + " in " + path);
      } else if (problem != null) {
        error(entry, path + " key " + quote(entry.key()) + " must be a glob on the connection: " + problem);
      } else if (!(entry.value() instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING
          || !isName((String) s.value())) {
        error(entry.value(), path + "." + entry.key() + " must be a server name of 1 to " + MAX_NAME_LENGTH
            + " letters, digits, '_', '.' or '-', got " + shown(entry.value()));
      } else {
        servers.put(entry.key(), (String) s.value());
      }
    }
    return servers;
  }

  private List<ArgumentRule> rules(Node node, String path) {
    if (!(node instanceof Node.Sequence seq)) {
      error(node, path + " must be a list of mappings (each with tool, decision and optionally args, args_regex,"
          + " reason), got " + describe(node));
      return List.of();
    }
    List<ArgumentRule> rules = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String at = path + "[" + i + "]";
      if (!(item instanceof Node.Mapping m)) {
        error(item, at + " must be a mapping with tool, decision and optionally args, args_regex, reason, got "
            + describe(item));
        continue;
      }
      int before = errors.size();
      Map<String, Node.Entry> keys = keys(m, at, RULE_KEYS);
      for (String required : List.of("tool", "decision")) {
        if (!keys.containsKey(required)) {
          error(m, at + ": missing required key \"" + required + "\"");
        }
      }
      String tool = keys.containsKey("tool") ? glob(keys.get("tool").value(), at + ".tool") : null;
      Map<String, dev.tollgate.policy.args.ArgumentMatcher> typed = new LinkedHashMap<>();
      Map<String, String> args = keys.containsKey("args")
          ? argumentGlobs(keys.get("args").value(), at + ".args", typed) : Map.of();
      Map<String, String> regexes = keys.containsKey("args_regex")
          ? argumentRegexes(keys.get("args_regex").value(), at + ".args_regex") : Map.of();
      Access decision = keys.containsKey("decision")
          ? enumValue(keys.get("decision").value(), at + ".decision", Access.class, Access.DENY) : Access.DENY;
      String reason = keys.containsKey("reason") ? reason(keys.get("reason").value(), at + ".reason") : null;
      if (errors.size() == before) {
        rules.add(new ArgumentRule(i, tool, args, regexes, typed, decision, reason));
      }
    }
    return rules;
  }

  /**
   * {@code args}: argument name to a glob (a quoted string, matched on the value as text) or to a typed matcher
   * object ({@code { url_host: [...] }}), which goes to {@code typed}.
   */
  private Map<String, String> argumentGlobs(Node node, String path,
      Map<String, dev.tollgate.policy.args.ArgumentMatcher> typed) {
    Map<String, String> globs = new LinkedHashMap<>();
    for (Node.Entry entry : argumentEntries(node, path, "a glob on its value or a typed matcher")) {
      Node value = entry.value();
      String at = path + "." + entry.key();
      if (value instanceof Node.Mapping m) {
        dev.tollgate.policy.args.ArgumentMatcher matcher = typedMatchers.read(m, at);
        if (matcher != null) {
          typed.put(entry.key(), matcher);
        }
        continue;
      }
      if (value instanceof Node.Scalar s && s.kind() != Node.Kind.STRING && s.kind() != Node.Kind.NULL) {
        error(value, at + " must be a string (a glob on the argument's value as text), got " + describe(value)
            + "; write " + quote(s.text()) + " in quotes");
        continue;
      }
      String glob = glob(value, at);
      if (glob != null) {
        globs.put(entry.key(), glob);
      }
    }
    return globs;
  }

  /** {@code args_regex}: argument name to RE2 regular expression, compiled here so a bad one fails the load. */
  private Map<String, String> argumentRegexes(Node node, String path) {
    Map<String, String> regexes = new LinkedHashMap<>();
    for (Node.Entry entry : argumentEntries(node, path, "a regular expression")) {
      String regex = typedMatchers.regex(entry.value(), path + "." + entry.key());
      if (regex != null) {
        regexes.put(entry.key(), regex);
      }
    }
    return regexes;
  }

  /** The entries of a mapping from argument names; reports non-mappings, duplicates and bad names. */
  private List<Node.Entry> argumentEntries(Node node, String path, String what) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, path + " must be a mapping of argument name to " + what + ", got " + describe(node));
      return List.of();
    }
    List<Node.Entry> entries = new ArrayList<>();
    Map<String, Node.Entry> seen = new HashMap<>();
    for (Node.Entry entry : m.entries()) {
      if (seen.putIfAbsent(entry.key(), entry) != null) {
        error(entry, "duplicate key " + quote(entry.key()) + " in " + path);
      } else if (entry.key().isEmpty() || entry.key().length() > MAX_NAME_LENGTH) {
        error(entry, path + " argument names must be 1 to " + MAX_NAME_LENGTH + " characters long, got "
            + quote(entry.key()));
      } else {
        entries.add(entry);
      }
    }
    return entries;
  }

  private String reason(Node node, String path) {
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && !((String) s.value()).isBlank()) {
      String reason = (String) s.value();
      if (reason.length() <= MAX_REASON_LENGTH) {
        return reason;
      }
      error(node, path + " must be at most " + MAX_REASON_LENGTH + " characters long, got " + reason.length());
      return null;
    }
    error(node, path + " must be a non-empty string (shown to the model), got " + shown(node));
    return null;
  }

  private Map<String, ToolRules> profiles(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "profiles must be a mapping of profile name to { tools: ... }, got " + describe(node));
      return Map.of();
    }
    Map<String, ToolRules> profiles = new LinkedHashMap<>();
    Map<String, Node.Entry> seen = new HashMap<>();
    for (Node.Entry entry : m.entries()) {
      if (seen.putIfAbsent(entry.key(), entry) != null) {
        error(entry, "duplicate key " + quote(entry.key()) + " in profiles");
        continue;
      }
      if (!isName(entry.key())) {
        error(entry, "profile names must be 1 to " + MAX_NAME_LENGTH
            + " letters, digits, '_', '.' or '-', got " + quote(entry.key()));
        continue;
      }
      String path = "profiles." + entry.key();
      if (!(entry.value() instanceof Node.Mapping p)) {
        error(entry.value(), path + " must be a mapping with tools, got " + describe(entry.value()));
        continue;
      }
      Map<String, Node.Entry> keys = keys(p, path, PROFILE_KEYS);
      if (!keys.containsKey("tools")) {
        error(p, path + ": missing required key \"tools\" (a profile replaces the top-level tools section)");
        continue;
      }
      profiles.put(entry.key(), tools(keys.get("tools").value(), path + ".tools"));
    }
    return profiles;
  }

  private String profile(Node node, Map<String, ToolRules> profiles) {
    if (!(node instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
      error(node, "profile must be a string (the name of an entry of profiles), got " + describe(node));
      return null;
    }
    String name = (String) s.value();
    if (profiles.containsKey(name)) {
      return name;
    }
    List<String> names = new ArrayList<>(profiles.keySet());
    String nearest = nearest(name, names);
    error(node, "profile " + quote(name) + " is not defined in profiles; "
        + (names.isEmpty() ? "the policy defines no profiles" : "expected one of " + String.join(", ", names))
        + (nearest == null ? "" : "; did you mean " + quote(nearest) + "?"));
    return null;
  }

  private List<EntryPoint> runs(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "runs must be a mapping with entry_points, got " + describe(node));
      return List.of();
    }
    Map<String, Node.Entry> keys = keys(m, "runs", RUNS_KEYS);
    if (!keys.containsKey("entry_points")) {
      return List.of();
    }
    Node value = keys.get("entry_points").value();
    if (!(value instanceof Node.Sequence seq)) {
      String hint = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
          ? " (write [" + quote(s.text()) + "] for a single entry point)" : "";
      error(value, "runs.entry_points must be a list of strings, got " + describe(value) + hint);
      return List.of();
    }
    List<EntryPoint> entryPoints = new ArrayList<>();
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String path = "runs.entry_points[" + i + "]";
      String text = item instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      String problem = text == null ? "got " + describe(item) : EntryPoints.problem(text);
      if (problem != null) {
        error(item, path + " must be \"<binary class name>#<method name>\" such as \"com.acme.Agent#handle\"; "
            + problem);
        continue;
      }
      Integer other = firstIndex.putIfAbsent(text, i);
      if (other != null) {
        error(item, path + " " + quote(text) + " duplicates runs.entry_points[" + other + "]");
        continue;
      }
      int hash = text.indexOf('#');
      entryPoints.add(new EntryPoint(text.substring(0, hash), text.substring(hash + 1)));
    }
    return entryPoints;
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
    return glob(node, path, "read_*");
  }

  private String glob(Node node, String path, String example) {
    if (!(node instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
      error(node, path + " must be a string (a glob such as \"" + example + "\"), got " + describe(node));
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
      error(node, "limits must be a list of mappings (each with name, scope, max_calls or max_identical), got "
          + describe(node));
      return List.of();
    }
    List<Limit> limits = new ArrayList<>();
    Map<String, Integer> firstIndexOfName = new HashMap<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String path = "limits[" + i + "]";
      if (!(item instanceof Node.Mapping m)) {
        error(item, path + " must be a mapping with name, scope, max_calls or max_identical, got " + describe(item));
        continue;
      }
      int before = errors.size();
      Map<String, Node.Entry> keys = keys(m, path, LIMIT_KEYS);
      for (String required : List.of("name", "scope")) {
        if (!keys.containsKey(required)) {
          error(m, path + ": missing required key \"" + required + "\"");
        }
      }
      if (!keys.containsKey("max_calls") && !keys.containsKey("max_identical")) {
        error(m, path + ": missing \"max_calls\" or \"max_identical\"; a limit needs at least one of them");
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
      String llm = keys.containsKey("llm") ? glob(keys.get("llm").value(), path + ".llm", "gpt-*") : null;
      String tools = keys.containsKey("tools") ? glob(keys.get("tools").value(), path + ".tools")
          : keys.containsKey("llm") ? null : "*";
      if (keys.containsKey("tools") && keys.containsKey("llm")) {
        error(keys.get("llm"), path + " has both \"tools\" and \"llm\"; a limit counts either tool calls (tools)"
            + " or LLM calls (llm), so split it into two limits");
      }
      if (keys.containsKey("llm") && keys.containsKey("max_identical")) {
        error(keys.get("max_identical"), path + ".max_identical is for tool limits only (it compares tool arguments);"
            + " an llm limit takes max_calls");
      }
      long maxCalls = keys.containsKey("max_calls")
          ? count(keys.get("max_calls").value(), path + ".max_calls", 0) : Limit.UNSET;
      long maxIdentical = keys.containsKey("max_identical")
          ? count(keys.get("max_identical").value(), path + ".max_identical", 1) : Limit.UNSET;
      Duration window = keys.containsKey("window") ? window(keys.get("window").value(), path + ".window") : null;
      String per = keys.containsKey("per") ? per(keys.get("per").value(), path + ".per") : null;
      OnExceed onExceed = keys.containsKey("on_exceed")
          ? enumValue(keys.get("on_exceed").value(), path + ".on_exceed", OnExceed.class, OnExceed.BLOCK)
          : OnExceed.BLOCK;
      Approval approval = null;
      if (keys.containsKey("approval")) {
        if (onExceed != OnExceed.PAUSE) {
          error(keys.get("approval"), path + ".approval applies only with on_exceed: pause (the call waits for an "
              + "operator's approve or deny)");
        } else {
          approval = approval(keys.get("approval").value(), path + ".approval");
        }
      }
      if (onExceed == OnExceed.PAUSE && !keys.containsKey("max_calls")) {
        error(keys.get("on_exceed").value(), path + ".on_exceed: pause needs max_calls (an approval raises it)");
      }
      if (onExceed == OnExceed.PAUSE && keys.containsKey("max_identical")) {
        error(keys.get("max_identical"), path + ".max_identical cannot pause (a loop guard is not approved away); "
            + "put it in a limit of its own with on_exceed: block or halt");
      }
      if (errors.size() == before) {
        limits.add(new Limit(i, name, scope, tools, maxCalls, onExceed, window, maxIdentical, per, llm, approval));
      }
    }
    return limits;
  }

  private List<Budget> budgets(Node node) {
    if (!(node instanceof Node.Sequence seq)) {
      error(node, "budgets must be a list of mappings (each with name, scope, max_usd or max_tokens), got "
          + describe(node));
      return List.of();
    }
    List<Budget> budgets = new ArrayList<>();
    Map<String, Integer> firstIndexOfName = new HashMap<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String path = "budgets[" + i + "]";
      if (!(item instanceof Node.Mapping m)) {
        error(item, path + " must be a mapping with name, scope, max_usd or max_tokens, got " + describe(item));
        continue;
      }
      int before = errors.size();
      Map<String, Node.Entry> keys = keys(m, path, BUDGET_KEYS);
      for (String required : List.of("name", "scope")) {
        if (!keys.containsKey(required)) {
          error(m, path + ": missing required key \"" + required + "\"");
        }
      }
      if (!keys.containsKey("max_usd") && !keys.containsKey("max_tokens")) {
        error(m, path + ": missing \"max_usd\" or \"max_tokens\"; a budget needs at least one of them");
      }
      String name = keys.containsKey("name") ? limitName(keys.get("name").value(), path + ".name") : null;
      if (name != null) {
        Integer other = firstIndexOfName.putIfAbsent(name, i);
        if (other != null) {
          error(keys.get("name").value(), path + ".name " + quote(name) + " duplicates budgets[" + other + "].name");
        }
      }
      BudgetScope scope = keys.containsKey("scope")
          ? enumValue(keys.get("scope").value(), path + ".scope", BudgetScope.class, null) : null;
      long maxNanos = Budget.UNSET;
      if (keys.containsKey("max_usd")) {
        PolicyNumber usd = decimal(keys.get("max_usd").value(), path + ".max_usd", false, MAX_USD);
        if (usd != null) {
          maxNanos = usd.billionthsDown();
          if (maxNanos == 0) {
            error(keys.get("max_usd").value(), path + ".max_usd must be at least 0.000000001 (one nano-dollar), got "
                + shown(keys.get("max_usd").value()));
          }
        }
      }
      long maxTokens = keys.containsKey("max_tokens")
          ? count(keys.get("max_tokens").value(), path + ".max_tokens", 1) : Budget.UNSET;
      List<Double> warnAt = keys.containsKey("warn_at") ? warnAt(keys.get("warn_at").value(), path + ".warn_at")
          : List.of();
      OnExceed onExceed = keys.containsKey("on_exceed")
          ? enumValue(keys.get("on_exceed").value(), path + ".on_exceed", OnExceed.class, OnExceed.BLOCK)
          : OnExceed.BLOCK;
      String per = keys.containsKey("per") ? per(keys.get("per").value(), path + ".per") : null;
      String models = keys.containsKey("models") ? glob(keys.get("models").value(), path + ".models", "gpt-*") : "*";
      Approval approval = null;
      if (keys.containsKey("approval")) {
        if (onExceed != OnExceed.PAUSE) {
          error(keys.get("approval"), path + ".approval applies only with on_exceed: pause (the call waits for an "
              + "operator's approve or deny)");
        } else {
          approval = approval(keys.get("approval").value(), path + ".approval");
        }
      }
      if (onExceed == OnExceed.PAUSE && maxNanos == Budget.UNSET) {
        error(keys.get("on_exceed").value(), path + ".on_exceed: pause needs max_usd (an approval raises the USD limit)");
      }
      if (errors.size() == before) {
        budgets.add(new Budget(i, name, scope, maxNanos, maxTokens, warnAt, onExceed, per, models, approval));
      }
    }
    return budgets;
  }

  /** {@code approval: { timeout: 5m, on_timeout: block | halt }}. */
  private Approval approval(Node node, String path) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, path + " must be a mapping such as { timeout: 5m, on_timeout: block }, got " + describe(node));
      return null;
    }
    Map<String, Node.Entry> keys = keys(m, path, APPROVAL_KEYS);
    Duration timeout = Approval.DEFAULT.timeout();
    if (keys.containsKey("timeout")) {
      Duration d = duration(keys.get("timeout").value(), path + ".timeout", MAX_APPROVAL_TIMEOUT, "24h");
      timeout = d == null ? timeout : d;
    }
    OnExceed onTimeout = Approval.DEFAULT.onTimeout();
    if (keys.containsKey("on_timeout")) {
      onTimeout = enumValue(keys.get("on_timeout").value(), path + ".on_timeout", OnExceed.class, OnExceed.BLOCK);
      if (onTimeout != OnExceed.BLOCK && onTimeout != OnExceed.HALT) {
        error(keys.get("on_timeout").value(), path + ".on_timeout must be block or halt, got "
            + shown(keys.get("on_timeout").value()));
      }
    }
    return new Approval(timeout, onTimeout);
  }

  /** {@code warn_at}: at most {@link #MAX_WARN_AT} fractions in (0, 1), strictly increasing. */
  private List<Double> warnAt(Node node, String path) {
    if (!(node instanceof Node.Sequence seq)) {
      String hint = node instanceof Node.Scalar s && (s.kind() == Node.Kind.DECIMAL || s.kind() == Node.Kind.INTEGER)
          ? " (write [" + s.text() + "] for a single threshold)" : "";
      error(node, path + " must be a list of fractions between 0 and 1 such as [0.5, 0.9], got " + describe(node)
          + hint);
      return List.of();
    }
    if (seq.items().size() > MAX_WARN_AT) {
      error(node, path + " has " + seq.items().size() + " entries; at most " + MAX_WARN_AT + " are allowed");
      return List.of();
    }
    List<Double> fractions = new ArrayList<>();
    PolicyNumber previous = null;
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String at = path + "[" + i + "]";
      PolicyNumber value = number(item);
      if (value == null || value.signum() <= 0 || value.compareTo(ONE) >= 0) {
        String hint = value != null && value.compareTo(ONE) >= 0 && value.compareTo(HUNDRED) < 0
            ? " (a fraction: write 0.8 for 80%)" : "";
        error(item, at + " must be a number greater than 0 and less than 1, got " + shown(item) + hint);
        continue;
      }
      if (previous != null && value.compareTo(previous) <= 0) {
        error(item, at + " must be greater than the threshold before it (" + previous.toPlainString()
            + "); warn_at must be strictly increasing, got " + shown(item));
        continue;
      }
      previous = value;
      fractions.add(value.doubleValue());
    }
    return fractions;
  }

  private Pricing pricing(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "pricing must be a mapping with unknown_model, default_max_output_tokens, models, got "
          + describe(node));
      return Pricing.DEFAULT;
    }
    Map<String, Node.Entry> keys = keys(m, "pricing", PRICING_KEYS);
    Pricing.UnknownModel unknown = Pricing.UnknownModel.BLOCK;
    ModelRate unknownRate = null;
    if (keys.containsKey("unknown_model")) {
      Node value = keys.get("unknown_model").value();
      if (value instanceof Node.Mapping) {
        unknownRate = rate(value, "pricing.unknown_model", UNKNOWN_RATE_KEYS);
        unknown = Pricing.UnknownModel.PRICE;
      } else if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
          && (s.value().equals("block") || s.value().equals("warn"))) {
        unknown = s.value().equals("block") ? Pricing.UnknownModel.BLOCK : Pricing.UnknownModel.WARN;
      } else {
        error(value, "pricing.unknown_model must be block, warn, or a mapping of prices such as"
            + " { input_per_mtok: 10, output_per_mtok: 30 }; got " + shown(value));
      }
    }
    long maxOutput = Pricing.DEFAULT_MAX_OUTPUT_TOKENS;
    if (keys.containsKey("default_max_output_tokens")) {
      Node value = keys.get("default_max_output_tokens").value();
      maxOutput = count(value, "pricing.default_max_output_tokens", 1);
      if (maxOutput > MAX_OUTPUT_TOKENS) {
        error(value, "pricing.default_max_output_tokens must be at most " + MAX_OUTPUT_TOKENS + ", got "
            + shown(value));
      }
    }
    Map<String, ModelRate> models = new LinkedHashMap<>();
    if (keys.containsKey("models")) {
      Node value = keys.get("models").value();
      if (!(value instanceof Node.Mapping mm)) {
        error(value, "pricing.models must be a mapping of model name or glob to prices, got " + describe(value));
      } else {
        Map<String, Node.Entry> seen = new HashMap<>();
        for (Node.Entry entry : mm.entries()) {
          if (seen.putIfAbsent(entry.key(), entry) != null) {
            error(entry, "duplicate key " + quote(entry.key()) + " in pricing.models");
            continue;
          }
          String problem = Glob.problem(entry.key());
          if (problem != null) {
            error(entry, "pricing.models key " + quote(entry.key()) + " " + problem);
            continue;
          }
          ModelRate rate = rate(entry.value(), "pricing.models." + entry.key(), MODEL_RATE_KEYS);
          if (rate != null) {
            models.put(entry.key(), rate);
          }
        }
      }
    }
    return new Pricing(unknown, unknownRate, maxOutput, models);
  }

  private ModelRate rate(Node node, String path, List<String> allowed) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, path + " must be a mapping with input_per_mtok and output_per_mtok (USD per million tokens), got "
          + describe(node));
      return null;
    }
    int before = errors.size();
    Map<String, Node.Entry> keys = keys(m, path, allowed);
    for (String required : List.of("input_per_mtok", "output_per_mtok")) {
      if (!keys.containsKey(required)) {
        error(m, path + ": missing required key \"" + required + "\"");
      }
    }
    Double[] rates = new Double[MODEL_RATE_KEYS.size()];
    for (int k = 0; k < MODEL_RATE_KEYS.size(); k++) {
      String key = MODEL_RATE_KEYS.get(k);
      if (keys.containsKey(key)) {
        PolicyNumber value = decimal(keys.get(key).value(), path + "." + key, true, MAX_PER_MTOK);
        rates[k] = value == null ? null : value.doubleValue();
      }
    }
    if (errors.size() != before) {
      return null;
    }
    return new ModelRate(rates[0], rates[1], rates[2], rates[3], rates[4]);
  }

  private List<ProviderEndpoint> providers(Node node) {
    if (!(node instanceof Node.Sequence seq)) {
      error(node, "providers must be a list of mappings (each with base_url and format), got " + describe(node));
      return List.of();
    }
    List<ProviderEndpoint> providers = new ArrayList<>();
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String path = "providers[" + i + "]";
      if (!(item instanceof Node.Mapping m)) {
        error(item, path + " must be a mapping with base_url and format, got " + describe(item));
        continue;
      }
      int before = errors.size();
      Map<String, Node.Entry> keys = keys(m, path, PROVIDER_KEYS);
      for (String required : List.of("base_url", "format")) {
        if (!keys.containsKey(required)) {
          error(m, path + ": missing required key \"" + required + "\"");
        }
      }
      String url = keys.containsKey("base_url") ? baseUrl(keys.get("base_url").value(), path + ".base_url") : null;
      String format = null;
      if (keys.containsKey("format")) {
        Node value = keys.get("format").value();
        if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && PROVIDER_FORMATS.contains(s.value())) {
          format = (String) s.value();
        } else {
          String nearest = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
              ? nearest((String) s.value(), PROVIDER_FORMATS) : null;
          error(value, path + ".format must be one of " + String.join(", ", PROVIDER_FORMATS) + "; got " + shown(value)
              + (nearest == null ? "" : "; did you mean " + quote(nearest) + "?"));
        }
      }
      String name = null;
      if (keys.containsKey("name")) {
        Node value = keys.get("name").value();
        if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && !((String) s.value()).isBlank()
            && ((String) s.value()).length() <= MAX_NAME_LENGTH) {
          name = (String) s.value();
        } else {
          error(value, path + ".name must be a non-empty string of at most " + MAX_NAME_LENGTH + " characters, got "
              + shown(value));
        }
      }
      if (errors.size() == before) {
        providers.add(new ProviderEndpoint(i, name, url, format));
      }
    }
    return providers;
  }

  /** An absolute http or https URL with a host and without user info (credentials never belong in a policy). */
  private String baseUrl(Node node, String path) {
    String usage = " (an absolute http or https URL such as \"https://llm-gateway.internal/v1\")";
    if (!(node instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
      error(node, path + " must be a string" + usage + ", got " + describe(node));
      return null;
    }
    String text = (String) s.value();
    java.net.URI uri;
    try {
      uri = new java.net.URI(text);
    } catch (java.net.URISyntaxException e) {
      error(node, path + " is not a valid URL" + usage + ": " + quote(text));
      return null;
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
      error(node, path + " must start with http:// or https://" + usage + ", got " + quote(text));
      return null;
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      error(node, path + " has no host" + usage + ", got " + quote(text));
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      error(node, path + " must not contain user info (credentials do not belong in a policy)");
      return null;
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      error(node, path + " must not have a query or fragment" + usage + ", got " + quote(text));
      return null;
    }
    return text;
  }

  private Coverage coverage(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "coverage must be a mapping with require, got " + describe(node));
      return Coverage.DEFAULT;
    }
    Map<String, Node.Entry> keys = keys(m, "coverage", COVERAGE_KEYS);
    if (!keys.containsKey("require")) {
      return Coverage.DEFAULT;
    }
    Node value = keys.get("require").value();
    if (!(value instanceof Node.Sequence seq)) {
      String hint = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING
          ? " (write [" + s.text() + "] for one)" : "";
      error(value, "coverage.require must be a list of " + String.join(", ", COVERAGE_NEEDS) + ", got "
          + describe(value) + hint);
      return Coverage.DEFAULT;
    }
    boolean llm = false;
    boolean tools = false;
    for (int i = 0; i < seq.items().size(); i++) {
      Node item = seq.items().get(i);
      String text = item instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      if (text == null || !COVERAGE_NEEDS.contains(text)) {
        String nearest = text == null ? null : nearest(text, COVERAGE_NEEDS);
        error(item, "coverage.require[" + i + "] must be one of " + String.join(", ", COVERAGE_NEEDS) + ", got "
            + shown(item) + (nearest == null ? "" : "; did you mean " + quote(nearest) + "?"));
      } else if (text.equals("llm") ? llm : tools) {
        error(item, "coverage.require[" + i + "] " + quote(text) + " is listed twice");
      } else if (text.equals("llm")) {
        llm = true;
      } else {
        tools = true;
      }
    }
    return new Coverage(llm, tools);
  }

  private LedgerSettings ledger(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "ledger must be a mapping with dir, time_zone, store, redis, key_file, got " + describe(node));
      return LedgerSettings.DEFAULT;
    }
    Map<String, Node.Entry> keys = keys(m, "ledger", LEDGER_KEYS);
    String dir = LedgerSettings.DEFAULT.dir();
    if (keys.containsKey("dir")) {
      Node value = keys.get("dir").value();
      if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && !((String) s.value()).isBlank()) {
        dir = (String) s.value();
      } else {
        error(value, "ledger.dir must be a non-empty string (a directory path), got " + shown(value));
      }
    }
    String zone = LedgerSettings.DEFAULT.timeZone();
    if (keys.containsKey("time_zone")) {
      Node value = keys.get("time_zone").value();
      String text = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      String problem = text == null ? "got " + describe(value) : zoneProblem(text);
      if (problem == null) {
        zone = text;
      } else {
        error(value, "ledger.time_zone must be a time zone ID such as \"UTC\" or \"Europe/Berlin\"; " + problem);
      }
    }
    String keyFile = null;
    if (keys.containsKey("key_file")) {
      Node value = keys.get("key_file").value();
      if (value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING && !((String) s.value()).isBlank()
          && ((String) s.value()).indexOf('\0') < 0) {
        keyFile = (String) s.value();
      } else {
        error(value, "ledger.key_file must be a non-empty string (the path of the ledger's key file), got "
            + shown(value));
      }
    }
    LedgerSettings.Store store = keys.containsKey("store")
        ? enumValue(keys.get("store").value(), "ledger.store", LedgerSettings.Store.class, LedgerSettings.Store.FILE)
        : LedgerSettings.Store.FILE;
    RedisSettings redis = null;
    if (keys.containsKey("redis")) {
      redis = redis(keys.get("redis").value());
      if (store != LedgerSettings.Store.REDIS) {
        error(keys.get("redis"), "ledger.redis is set but ledger.store is " + store.name().toLowerCase(Locale.ROOT)
            + "; add \"store: redis\" to use it");
      }
    } else if (store == LedgerSettings.Store.REDIS) {
      error(keys.get("store"), "ledger.store is redis but ledger.redis is missing; add ledger.redis.url "
          + "(such as redis://127.0.0.1:6379/0)");
    }
    return new LedgerSettings(dir, zone, keyFile, store, redis);
  }

  private RedisSettings redis(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "ledger.redis must be a mapping with url, key_prefix, timeout, on_unavailable, hold_ttl, got "
          + describe(node));
      return null;
    }
    Map<String, Node.Entry> keys = keys(m, "ledger.redis", REDIS_KEYS);
    String url = null;
    if (!keys.containsKey("url")) {
      error(node, "ledger.redis.url is required (such as redis://127.0.0.1:6379/0, or rediss:// for TLS)");
    } else {
      Node value = keys.get("url").value();
      String text = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      String problem = text == null ? "got " + describe(value) : RedisSettings.urlProblem(text);
      if (problem == null) {
        url = text;
      } else {
        // never echo the URL itself: it may carry a password
        error(value, "ledger.redis.url must be redis://[user:password@]host[:port][/db] or rediss://...; " + problem);
      }
    }
    String prefix = RedisSettings.DEFAULT_KEY_PREFIX;
    if (keys.containsKey("key_prefix")) {
      Node value = keys.get("key_prefix").value();
      String text = value instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      if (text != null && !text.isEmpty() && text.length() <= 128 && text.chars().allMatch(c -> c > 32 && c < 127)
          && text.indexOf('{') < 0 && text.indexOf('}') < 0) {
        prefix = text;
      } else {
        error(value, "ledger.redis.key_prefix must be 1 to 128 printable ASCII characters without spaces or braces "
            + "(such as \"tollgate:checkout:\"), got " + shown(value));
      }
    }
    Duration timeout = RedisSettings.DEFAULT_TIMEOUT;
    if (keys.containsKey("timeout")) {
      Duration d = duration(keys.get("timeout").value(), "ledger.redis.timeout", MAX_REDIS_TIMEOUT, "10s");
      timeout = d == null ? timeout : d;
    }
    RedisSettings.OnUnavailable onUnavailable = keys.containsKey("on_unavailable")
        ? enumValue(keys.get("on_unavailable").value(), "ledger.redis.on_unavailable",
            RedisSettings.OnUnavailable.class, RedisSettings.OnUnavailable.BLOCK)
        : RedisSettings.OnUnavailable.BLOCK;
    Duration holdTtl = RedisSettings.DEFAULT_HOLD_TTL;
    if (keys.containsKey("hold_ttl")) {
      Duration d = duration(keys.get("hold_ttl").value(), "ledger.redis.hold_ttl", MAX_HOLD_TTL, "24h");
      if (d != null && d.toMillis() < 1000) {
        error(keys.get("hold_ttl").value(), "ledger.redis.hold_ttl must be at least 1s (an LLM call must be able to "
            + "finish before its hold expires), got " + shown(keys.get("hold_ttl").value()));
      } else if (d != null) {
        holdTtl = d;
      }
    }
    return url == null ? null : new RedisSettings(url, prefix, timeout, onUnavailable, holdTtl);
  }

  /** Why {@code text} is not a zone ID {@link java.time.ZoneId#of} accepts, with a suggestion; null if it is one. */
  static String zoneProblem(String text) {
    try {
      java.time.ZoneId.of(text);
      return null;
    } catch (java.time.DateTimeException e) {
      List<String> zones = new ArrayList<>(java.time.ZoneId.getAvailableZoneIds());
      zones.sort(null);
      String suggestion = null;
      for (String zone : zones) {
        if (zone.equalsIgnoreCase(text)) {
          suggestion = zone;
        }
      }
      if (suggestion == null && java.time.ZoneId.SHORT_IDS.containsKey(text.toUpperCase(Locale.ROOT))) {
        suggestion = java.time.ZoneId.SHORT_IDS.get(text.toUpperCase(Locale.ROOT));
        if (suggestion.startsWith("-")) {
          suggestion = null;
        }
      }
      if (suggestion == null) {
        suggestion = nearest(text, zones);
      }
      return "got " + quote(text) + " (not a known zone)"
          + (suggestion == null ? "" : "; did you mean " + quote(suggestion) + "?");
    }
  }

  /** A number written as an integer or decimal, exactly; null for anything else (argument bounds read it too). */
  static PolicyNumber number(Node node) {
    if (node instanceof Node.Scalar s && (s.kind() == Node.Kind.INTEGER || s.kind() == Node.Kind.DECIMAL)) {
      return PolicyNumber.parse(s.text().trim());
    }
    return null;
  }

  /** A decimal in (0, max] ({@code zeroAllowed}: [0, max]). */
  private PolicyNumber decimal(Node node, String path, boolean zeroAllowed, PolicyNumber max) {
    PolicyNumber value = number(node);
    if (value != null && (zeroAllowed ? value.signum() >= 0 : value.signum() > 0) && value.compareTo(max) <= 0) {
      return value;
    }
    String got = shown(node);
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING) {
      got += " (a string; write the number without quotes)";
    }
    error(node, path + " must be a number " + (zeroAllowed ? ">= 0" : "> 0") + " and at most "
        + max.toPlainString() + ", got " + got);
    return null;
  }

  /** 1 to {@link #MAX_NAME_LENGTH} letters, digits, '_', '.' or '-' (limit, profile and MDC key names). */
  static boolean isName(String name) {
    boolean ok = name != null && !name.isEmpty() && name.length() <= MAX_NAME_LENGTH;
    for (int i = 0; ok && i < name.length(); i++) {
      char c = name.charAt(i);
      ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    }
    return ok;
  }

  /**
   * {@code window}: a positive whole number and a unit, {@code ms}, {@code s}, {@code m} or {@code h}, at most
   * 24 hours.
   */
  private Duration window(Node node, String path) {
    return duration(node, path, MAX_WINDOW, "24h");
  }

  /** A duration as for {@code window}, positive and at most {@code max} (written {@code maxText}). */
  private Duration duration(Node node, String path, Duration max, String maxText) {
    String usage = " (a whole number and a unit: ms, s, m or h, such as \"30s\" or \"5m\")";
    if (!(node instanceof Node.Scalar s) || s.kind() != Node.Kind.STRING) {
      String hint = node instanceof Node.Scalar s && s.kind() == Node.Kind.INTEGER
          ? "; a number needs a unit, such as \"" + s.text() + "s\"" : "";
      error(node, path + " must be a duration string" + usage + ", got " + shown(node) + hint);
      return null;
    }
    String text = (String) s.value();
    int digits = 0;
    while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9') {
      digits++;
    }
    String unit = text.substring(digits);
    if (digits == 0 || digits > 12) {
      error(node, path + " must be a duration" + usage + ", got " + quote(text));
      return null;
    }
    long amount = Long.parseLong(text.substring(0, digits));
    Duration window = switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(Math.min(amount, 1_000_000));
      default -> null;
    };
    if (window == null && !unit.matches("[A-Za-z]+")) {
      error(node, path + " must be a duration" + usage + ", got " + quote(text));
      return null;
    }
    if (window == null) {
      String hint = unit.equals("d") && max.equals(MAX_WINDOW) ? "; write \"24h\" for a day (the longest window)"
          : unit.equals("d") ? "; write \"24h\" for a day" : "";
      error(node, path + " has unit " + quote(unit) + "; expected ms, s, m or h" + hint);
      return null;
    }
    if (amount == 0) {
      error(node, path + " must be a positive duration, got " + quote(text));
      return null;
    }
    if (window.compareTo(max) > 0) {
      error(node, path + " must be at most " + maxText + ", got " + quote(text));
      return null;
    }
    return window;
  }

  /** {@code per}: {@code session} or {@code mdc:<key>}. */
  private String per(Node node, String path) {
    String text = node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
    if (text != null && (text.equals("session") || (text.startsWith("mdc:") && isName(text.substring(4))))) {
      return text;
    }
    String hint = text != null && text.startsWith("mdc:")
        ? "; the MDC key must be 1 to " + MAX_NAME_LENGTH + " letters, digits, '_', '.' or '-'"
        : text != null && text.startsWith("mdc") ? "; write mdc:<key>, such as \"mdc:tenant\"" : "";
    error(node, path + " must be \"session\" or \"mdc:<key>\", got " + shown(node) + hint);
    return null;
  }

  private String limitName(Node node, String path) {
    String name = node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
    if (!isName(name)) {
      error(node, path + " must be a string of 1 to " + MAX_NAME_LENGTH
          + " letters, digits, '_', '.' or '-', got " + shown(node));
      return null;
    }
    return name;
  }

  private long count(Node node, String path, long min) {
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.INTEGER && s.value() instanceof Long n && n >= min) {
      return n;
    }
    String got = shown(node);
    if (node instanceof Node.Scalar s && s.kind() == Node.Kind.STRING) {
      got += " (a string; write the number without quotes)";
    } else if (node instanceof Node.Scalar s && s.value() instanceof BigInteger b && b.signum() > 0) {
      got += " (too large; at most " + Long.MAX_VALUE + ")";
    }
    error(node, path + " must be an integer >= " + min + ", got " + got);
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

  private MetricsSettings metrics(Node node) {
    if (!(node instanceof Node.Mapping m)) {
      error(node, "metrics must be a mapping with prometheus, got " + describe(node));
      return MetricsSettings.DEFAULT;
    }
    Map<String, Node.Entry> keys = keys(m, "metrics", METRICS_KEYS);
    if (!keys.containsKey("prometheus")) {
      return MetricsSettings.DEFAULT;
    }
    Node value = keys.get("prometheus").value();
    if (!(value instanceof Node.Mapping p)) {
      error(value, "metrics.prometheus must be a mapping with host, port (write {} for 127.0.0.1:"
          + MetricsSettings.Prometheus.DEFAULT_PORT + "), got " + describe(value));
      return MetricsSettings.DEFAULT;
    }
    Map<String, Node.Entry> pkeys = keys(p, "metrics.prometheus", PROMETHEUS_KEYS);
    String host = MetricsSettings.Prometheus.DEFAULT_HOST;
    if (pkeys.containsKey("host")) {
      Node h = pkeys.get("host").value();
      String text = h instanceof Node.Scalar s && s.kind() == Node.Kind.STRING ? (String) s.value() : null;
      if (text == null || text.isBlank() || text.length() > 253 || !text.matches("[A-Za-z0-9.:\\-]+")) {
        error(h, "metrics.prometheus.host must be a host name or IP address to listen on (such as 127.0.0.1), got "
            + shown(h));
      } else {
        host = text;
      }
    }
    int port = MetricsSettings.Prometheus.DEFAULT_PORT;
    if (pkeys.containsKey("port")) {
      Node n = pkeys.get("port").value();
      long v = count(n, "metrics.prometheus.port", 1);
      if (v > 65535) {
        error(n, "metrics.prometheus.port must be a TCP port from 1 to 65535, got " + shown(n));
      } else if (v > 0) {
        port = (int) v;
      }
    }
    return new MetricsSettings(new MetricsSettings.Prometheus(host, port));
  }

  private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, E fallback) {
    return enumValue(node, path, type, fallback, java.util.EnumSet.allOf(type));
  }

  /** One of {@code allowed}, written in lower case. */
  private <E extends Enum<E>> E enumValue(Node node, String path, Class<E> type, E fallback,
      java.util.Set<E> allowed) {
    List<String> names = new ArrayList<>();
    for (E constant : type.getEnumConstants()) {
      if (!allowed.contains(constant)) {
        continue;
      }
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
        String nearest = nearest(entry.key(), allowed);
        error(entry, "unknown key " + quote(entry.key()) + " in " + where + "; expected one of "
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
