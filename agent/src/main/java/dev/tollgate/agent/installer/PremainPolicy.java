package dev.tollgate.agent.installer;

import dev.tollgate.agent.config.AgentConfig;
import dev.tollgate.agent.config.ConfigKey;
import dev.tollgate.agent.guard.PolicyFiles;
import dev.tollgate.policy.Governance;
import dev.tollgate.policy.GovernanceLoader;
import dev.tollgate.policy.Mode;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyError;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What premain reads before anything else: the agent's configuration, the policy files' stamps and the policy as the
 * agent enforces it, each failure kept to be reported in the order premain always reported them. It runs on premain's
 * thread while {@code tollgate-modules} defines the bootstrap classes, so this class and everything it uses (the JDK,
 * {@code dev.tollgate.policy}, {@code dev.tollgate.agent.config}, {@link PolicyFiles}) must not refer to a
 * {@code dev.tollgate.bootstrap} class: the agent's loader does not serve those, and a use before they are defined
 * would fail ({@code PremainPolicyTest} reads the class files to keep it so).
 */
final class PremainPolicy {
  /** The configuration's error ({@code configuration: ...}), or null. */
  final String configProblem;
  /** Null when {@link #configProblem} is set. */
  final AgentConfig config;
  /** The policy file's path; null when none is configured (or the configuration is in error). */
  final String policyPath;
  /** The policy files' stamps, taken before they were read ({@link PolicyFiles#stamps}); null with no policy path. */
  final Map<Path, String> stamps;
  /** The policy, or null when it could not be loaded ({@link #failure}) or nothing came before it. */
  final Loaded loaded;
  final LoadFailure failure;

  private PremainPolicy(String configProblem, AgentConfig config, String policyPath, Map<Path, String> stamps,
      Loaded loaded, LoadFailure failure) {
    this.configProblem = configProblem;
    this.config = config;
    this.policyPath = policyPath;
    this.stamps = stamps;
    this.loaded = loaded;
    this.failure = failure;
  }

  /** Resolves the configuration, then stamps and loads the policy it names; stops at the first failure. */
  static PremainPolicy read(String agentArgs) {
    AgentConfig config;
    try {
      config = AgentConfig.resolve(agentArgs, System.getProperties(), System.getenv());
    } catch (IllegalArgumentException e) {
      return new PremainPolicy("configuration: " + e.getMessage(), null, null, null, null, null);
    }
    String policyPath = config.get(ConfigKey.POLICY);
    if (policyPath == null) {
      return new PremainPolicy(null, config, null, null, null, null);
    }
    // the policy files' times and sizes before they are read: the watcher, set up later, reloads if they changed since
    String governanceDir = config.get(ConfigKey.GOVERNANCE);
    Map<Path, String> stamps = PolicyFiles.stamps(Path.of(policyPath),
        governanceDir == null ? null : Path.of(governanceDir));
    try {
      return new PremainPolicy(null, config, policyPath, stamps, load(config, policyPath), null);
    } catch (LoadFailure e) {
      return new PremainPolicy(null, config, policyPath, stamps, null, e);
    }
  }

  /** A policy as the agent enforces it: the app's file, the agent's overrides, the governance directory merged in. */
  record Loaded(Policy policy, boolean failOpen) {}

  /** Why a policy could not be loaded: located lines, and whether the JVM may then go on ungoverned. */
  static final class LoadFailure extends Exception {
    final List<String> lines;
    final boolean failOpen;

    LoadFailure(List<String> lines, boolean failOpen) {
      super(String.join("\n", lines), null, false, false);
      this.lines = lines;
      this.failOpen = failOpen;
    }

    LoadFailure(PolicyException e, boolean failOpen) {
      this(e.errors().stream().map(PolicyError::toString).toList(), failOpen);
    }
  }

  /** Loads the policy the agent enforces (at start and on every reload). */
  static Loaded load(AgentConfig config, String policyPath) throws LoadFailure {
    Policy policy;
    try {
      policy = PolicyLoader.load(Path.of(policyPath));
    } catch (PolicyException e) {
      throw new LoadFailure(e, config.failOpen());
    }
    String modeOverride = config.get(ConfigKey.MODE);
    String profileOverride = config.get(ConfigKey.PROFILE);
    String governanceDir = config.get(ConfigKey.GOVERNANCE);
    if (governanceDir == null) {
      if (modeOverride != null) {
        policy = policy.withMode(Mode.valueOf(modeOverride.toUpperCase(Locale.ROOT)));
      }
      if (profileOverride != null) {
        try {
          policy = policy.withProfile(profileOverride);
        } catch (PolicyException e) {
          throw new LoadFailure(e.errors().stream()
              .map(err -> config.source(ConfigKey.PROFILE) + ": " + err.message()).toList(), config.failOpen());
        }
      }
      return new Loaded(policy, config.failOpen());
    }
    // an organisation's policy that cannot be read or merged never lets the app run ungoverned by the app's own
    // fail-mode: the organisation's fail_mode decides (closed unless its files say open)
    Governance org;
    try {
      org = GovernanceLoader.load(Path.of(governanceDir));
    } catch (PolicyException e) {
      throw new LoadFailure(e, false);
    }
    boolean orgFailOpen = org.layers().stream().map(l -> l.policy().header().failMode()).filter(m -> m != null)
        .findFirst().map("open"::equals).orElse(false);
    try {
      GovernanceLoader.Governed governed = GovernanceLoader.govern(policy, org, configured(config),
          modeOverride == null ? null : Mode.valueOf(modeOverride.toUpperCase(Locale.ROOT)), profileOverride);
      boolean failOpen = governed.failMode() != null && (governed.failModeLocked()
          || "default".equals(config.source(ConfigKey.FAIL_MODE))) ? "open".equals(governed.failMode())
          : config.failOpen();
      return new Loaded(governed.policy(), failOpen);
    } catch (PolicyException e) {
      throw new LoadFailure(e, orgFailOpen);
    }
  }

  /** The lockable keys the agent's configuration sets (not by default), to where it sets them. */
  static Map<String, String> configured(AgentConfig config) {
    Map<String, String> set = new LinkedHashMap<>();
    for (ConfigKey key : List.of(ConfigKey.MODE, ConfigKey.PROFILE, ConfigKey.FAIL_MODE)) {
      String source = config.source(key);
      if (config.get(key) != null && source != null && !"default".equals(source)) {
        set.put(key.key(), source);
      }
    }
    return set;
  }
}
