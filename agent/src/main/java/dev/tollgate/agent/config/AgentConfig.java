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
  private final Map<ConfigKey, String> values;
  private final Map<ConfigKey, String> sources;

  private AgentConfig(Map<ConfigKey, String> values, Map<ConfigKey, String> sources) {
    this.values = values;
    this.sources = sources;
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
    Map<ConfigKey, String> fromArgs = parseAgentArgs(agentArgs);
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
    return new AgentConfig(values, sources);
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

  private static Map<ConfigKey, String> parseAgentArgs(String agentArgs) {
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
      ConfigKey key = ConfigKey.byKey(k);
      if (key == null) {
        throw new IllegalArgumentException("unknown agent argument \"" + k + "\"; expected one of " + knownKeys());
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
