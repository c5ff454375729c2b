package dev.tollgate.policy.event;

import java.util.List;

/** The policy in force at start: where it came from and what it holds (names only, never secrets). */
public record PolicyLoaded(String source, String sourceConfig, String mode, String profile, List<String> deny,
    List<String> allow, String defaultAccess, Integer rules, List<String> limits, List<String> budgets,
    List<String> entryPoints, String store, String redis, String keyPrefix, String log, List<String> governance,
    List<String> locked) implements LogEvent {
  public static final String NAME = "policy.loaded";

  public PolicyLoaded {
    deny = LogEvent.copy(deny);
    allow = LogEvent.copy(allow);
    limits = LogEvent.copy(limits);
    budgets = LogEvent.copy(budgets);
    entryPoints = LogEvent.copy(entryPoints);
    governance = LogEvent.copy(governance);
    locked = LogEvent.copy(locked);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("source", source).put("source_config", sourceConfig).put("mode", mode).put("profile", profile)
        .put("deny", deny).put("allow", allow).put("default", defaultAccess).put("rules", rules)
        .put("limits", limits).put("budgets", budgets).put("entry_points", entryPoints).put("store", store)
        .put("redis", redis).put("key_prefix", keyPrefix).put("log", log).put("governance", governance)
        .put("locked", locked);
  }

  static PolicyLoaded read(Line l) {
    return new PolicyLoaded(l.text("source"), l.text("source_config"), l.text("mode"), l.text("profile"),
        l.texts("deny"), l.texts("allow"), l.text("default"), l.integer("rules"), l.texts("limits"),
        l.texts("budgets"), l.texts("entry_points"), l.text("store"), l.text("redis"), l.text("key_prefix"),
        l.text("log"), l.texts("governance"), l.texts("locked"));
  }
}
