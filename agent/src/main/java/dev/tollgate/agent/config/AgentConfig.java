package dev.tollgate.agent.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The resolved configuration: agent argument > system property > environment variable > default. The policy
 * file comes after all of these for the keys it also carries ({@code log}, {@code mode}); the caller applies it.
 */
public final class AgentConfig {
  private static final String SWITCH_PREFIX = "instrumentation.";
  private static final String SWITCH_SUFFIX = ".enabled";
  private static final String ENV_PREFIX = "TOLLGATE_INSTRUMENTATION_";
  private static final String ENV_SUFFIX = "_ENABLED";

  private final Map<ConfigKey, String> values;
  private final Map<ConfigKey, String> sources;
  private final Map<String, String> disabled;

  /**
   * The module name of an {@code instrumentation.<name>.enabled} key (one switch per instrumentation module; the name
   * {@code [a-z0-9][a-z0-9-]*}), or null for any other key. By hand, not a regex: premain reads the configuration, and
   * compiling the pattern there cost ~1.6 ms.
   */
  static String instrumentationSwitch(String key) {
    if (!key.startsWith(SWITCH_PREFIX) || !key.endsWith(SWITCH_SUFFIX)
        || key.length() <= SWITCH_PREFIX.length() + SWITCH_SUFFIX.length()) {
      return null;
    }
    String name = key.substring(SWITCH_PREFIX.length(), key.length() - SWITCH_SUFFIX.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0;
      if (!ok) {
        return null;
      }
    }
    return name;
  }

  private AgentConfig(Map<ConfigKey, String> values, Map<ConfigKey, String> sources, Map<String, String> disabled) {
    this.values = values;
    this.sources = sources;
    this.disabled = disabled;
  }

  /**
   * Resolves every key.
   *
   * @param agentArgs  the {@code -javaagent:...=} text: {@code k=v,k=v} (may be null)
   * @param properties system properties
   * @param env        environment
   * @throws IllegalArgumentException naming the bad argument, for unknown keys, empty values or bad enums
   */
  public static AgentConfig resolve(String agentArgs, Map<?, ?> properties, Map<String, String> env) {
    Map<String, String> switchesFromArgs = new java.util.LinkedHashMap<>();
    Map<ConfigKey, String> fromArgs = parseAgentArgs(agentArgs, switchesFromArgs);
    Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
    Map<ConfigKey, String> sources = new EnumMap<>(ConfigKey.class);
    for (ConfigKey key : ConfigKey.values()) {
      String v = fromArgs.get(key);
      String source = "agent argument " + key.key();
      if (v == null) {
        Object p = properties.get(key.systemProperty());
        v = p == null ? null : p.toString();
        source = "system property " + key.systemProperty();
      }
      if (v == null) {
        v = env.get(key.environmentVariable());
        source = "environment variable " + key.environmentVariable();
      }
      if (v != null && v.isBlank()) {
        throw new IllegalArgumentException(source + " is empty");
      }
      if (v == null) {
        v = key.defaultValue();
        source = "default";
      }
      if (v != null) {
        values.put(key, v.trim());
        sources.put(key, source);
      }
    }
    checkOneOf(values, sources, ConfigKey.FAIL_MODE, "closed", "open");
    checkOneOf(values, sources, ConfigKey.MODE, "enforce", "monitor");
    return new AgentConfig(values, sources, disabledInstrumentations(switchesFromArgs, properties, env));
  }

  /**
   * The instrumentations switched off, by name, with the setting that did it; {@code instrumentation.<name>.enabled}
   * with the usual precedence (agent argument > system property {@code tollgate.instrumentation.<name>.enabled} >
   * environment {@code TOLLGATE_INSTRUMENTATION_<NAME>_ENABLED}, {@code -} written {@code _}).
   */
  private static Map<String, String> disabledInstrumentations(Map<String, String> fromArgs, Map<?, ?> properties,
      Map<String, String> env) {
    Map<String, String[]> settings = new java.util.TreeMap<>(); // name -> {value, source}
    for (Map.Entry<String, String> e : env.entrySet()) {
      String k = e.getKey();
      if (k.startsWith(ENV_PREFIX) && k.endsWith(ENV_SUFFIX) && k.length() > ENV_PREFIX.length() + ENV_SUFFIX.length()) {
        String name = k.substring(ENV_PREFIX.length(), k.length() - ENV_SUFFIX.length())
            .toLowerCase(Locale.ROOT).replace('_', '-');
        settings.put(name, new String[] {e.getValue(), "environment variable " + k});
      }
    }
    for (Map.Entry<?, ?> e : properties.entrySet()) {
      String k = String.valueOf(e.getKey());
      String name = k.startsWith("tollgate.") ? instrumentationSwitch(k.substring("tollgate.".length())) : null;
      if (name != null) {
        settings.put(name, new String[] {String.valueOf(e.getValue()), "system property " + k});
      }
    }
    // loops, not forEach with lambdas: this runs in premain, where each lambda's first call spins a class
    for (Map.Entry<String, String> e : fromArgs.entrySet()) {
      settings.put(e.getKey(),
          new String[] {e.getValue(), "agent argument instrumentation." + e.getKey() + ".enabled"});
    }
    Map<String, String> off = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : settings.entrySet()) {
      String[] setting = e.getValue();
      String v = setting[0].trim().toLowerCase(Locale.ROOT);
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException(setting[1] + " must be true or false; got \"" + setting[0] + "\"");
      }
      if (v.equals("false")) {
        off.put(e.getKey(), setting[1] + "=false");
      }
    }
    return off;
  }

  /** Instrumentations switched off by {@code instrumentation.<name>.enabled=false}: name -> the setting. */
  public Map<String, String> disabledInstrumentations() {
    return disabled;
  }

  private static void checkOneOf(Map<ConfigKey, String> values, Map<ConfigKey, String> sources, ConfigKey key,
      String... allowed) {
    String v = values.get(key);
    if (v == null) {
      return;
    }
    for (String a : allowed) {
      if (a.equals(v.toLowerCase(Locale.ROOT))) {
        values.put(key, a);
        return;
      }
    }
    throw new IllegalArgumentException(sources.get(key) + " must be one of " + String.join(", ", allowed)
        + "; got \"" + v + "\"");
  }

  private static Map<ConfigKey, String> parseAgentArgs(String agentArgs, Map<String, String> switches) {
    Map<ConfigKey, String> out = new EnumMap<>(ConfigKey.class);
    if (agentArgs == null || agentArgs.isBlank()) {
      return out;
    }
    for (String pair : agentArgs.split(",")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("agent argument \"" + pair + "\" must be key=value (keys: "
            + knownKeys() + ")");
      }
      String k = pair.substring(0, eq).trim();
      String instrumentation = instrumentationSwitch(k);
      if (instrumentation != null) {
        if (switches.put(instrumentation, pair.substring(eq + 1)) != null) {
          throw new IllegalArgumentException("agent argument \"" + k + "\" is given twice");
        }
        continue;
      }
      ConfigKey key = ConfigKey.byKey(k);
      if (key == null) {
        throw new IllegalArgumentException("unknown agent argument \"" + k + "\"; expected one of " + knownKeys()
            + ", instrumentation.<name>.enabled");
      }
      if (out.containsKey(key)) {
        throw new IllegalArgumentException("agent argument \"" + k + "\" is given twice");
      }
      out.put(key, pair.substring(eq + 1));
    }
    return out;
  }

  private static String knownKeys() {
    StringJoiner j = new StringJoiner(", ");
    for (ConfigKey k : ConfigKey.values()) {
      j.add(k.key());
    }
    return j.toString();
  }

  /** The value, or null when neither given nor defaulted. */
  public String get(ConfigKey key) {
    return values.get(key);
  }

  /** Where the value came from, e.g. {@code system property tollgate.policy}; null when unset. */
  public String source(ConfigKey key) {
    return sources.get(key);
  }

  public boolean failOpen() {
    return "open".equals(values.get(ConfigKey.FAIL_MODE));
  }

  /** Lines for {@code --help}. */
  public static List<String> documentation() {
    List<String> lines = new ArrayList<>();
    for (ConfigKey k : ConfigKey.values()) {
      lines.add(String.format("  %-10s -D%-20s %-20s %s", k.key(), k.systemProperty(), k.environmentVariable(),
          k.doc() + (k.defaultValue() == null ? "" : " Default: " + k.defaultValue() + ".")));
    }
    return lines;
  }
}
