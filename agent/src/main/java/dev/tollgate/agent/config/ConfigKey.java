package dev.tollgate.agent.config;

/**
 * Every configuration key of the agent, in one place, with its default and doc line. Each key can be given as
 * an agent argument ({@code -javaagent:tollgate-agent.jar=policy=p.yaml,log=l.jsonl}), a system property
 * ({@code -Dtollgate.policy=...}) or an environment variable ({@code TOLLGATE_POLICY=...}), in that precedence.
 */
public enum ConfigKey {
  POLICY("policy", null, "Path of the policy file (YAML, or JSON when it ends in .json). Required."),
  LOG("log", null, "Path of the enforcement log (JSON Lines). Overrides the policy's log.path; "
      + "default tollgate-enforcement.jsonl in the working directory."),
  MODE("mode", null, "enforce | monitor. Overrides the policy's mode."),
  PROFILE("profile", null, "Name of the entry of the policy's profiles to enforce. Overrides the policy's profile."),
  GOVERNANCE("governance", null, "Directory of the organisation's policies (*.yaml, *.json): merged with the app's "
      + "policy so that the app can only tighten them; each file writable by its owner only."),
  FAIL_MODE("fail-mode", "closed", "closed: an invalid policy or a failed start stops the JVM before main runs "
      + "(exit status 78); open: the agent disables itself, says so on stderr, and the app runs ungoverned."),
  WEAVE_CACHE("weave-cache", null, "Directory that keeps what the instrumentations made of each framework class, so "
      + "that later starts weave without loading ByteBuddy; default weave-cache in the policy's ledger directory "
      + "(rwx------, owned by the JVM's user, else unused); off: weave at every start.");

  private final String key;
  private final String defaultValue;
  private final String doc;

  ConfigKey(String key, String defaultValue, String doc) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.doc = doc;
  }

  /** The name used in agent arguments, e.g. {@code fail-mode}. */
  public String key() {
    return key;
  }

  public String systemProperty() {
    return "tollgate." + key;
  }

  public String environmentVariable() {
    return "TOLLGATE_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_').replace('.', '_');
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  static ConfigKey byKey(String key) {
    for (ConfigKey k : values()) {
      if (k.key.equals(key)) {
        return k;
      }
    }
    return null;
  }
}
