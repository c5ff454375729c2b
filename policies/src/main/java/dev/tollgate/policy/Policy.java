package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded, validated policy. Immutable.
 *
 * @param source      the file name the policy came from (as given to the loader), for messages
 * @param version     the language version; only 1 exists
 * @param mode        enforce or monitor
 * @param tools       the tool rules in force: the active profile's {@code tools} when a profile is active (it
 *                    replaces the top-level {@code tools} section entirely), else the top-level section
 * @param limits      call limits, in file order; names are unique
 * @param log         enforcement-log settings
 * @param profile     the active profile's name, or null
 * @param profiles    every profile's tool rules by name, in file order
 * @param entryPoints {@code runs.entry_points}, in file order
 * @param budgets     LLM budgets, in file order; names are unique
 * @param pricing     {@code pricing:} ({@link Pricing#DEFAULT} when absent)
 * @param providers   {@code providers:}, in file order
 * @param ledger      {@code ledger:} ({@link LedgerSettings#DEFAULT} when absent)
 * @param coverage    {@code coverage:} ({@link Coverage#DEFAULT} when absent)
 * @param metrics     {@code metrics:} ({@link MetricsSettings#DEFAULT}, JMX only, when absent)
 */
public record Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
    String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints, List<Budget> budgets,
    Pricing pricing, List<ProviderEndpoint> providers, LedgerSettings ledger, Coverage coverage,
    MetricsSettings metrics) {
  public Policy {
    limits = List.copyOf(limits);
    profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
    entryPoints = List.copyOf(entryPoints);
    budgets = List.copyOf(budgets);
    pricing = pricing == null ? Pricing.DEFAULT : pricing;
    providers = List.copyOf(providers);
    ledger = ledger == null ? LedgerSettings.DEFAULT : ledger;
    coverage = coverage == null ? Coverage.DEFAULT : coverage;
    metrics = metrics == null ? MetricsSettings.DEFAULT : metrics;
  }

  /** A policy without {@code metrics:} settings (JMX only). */
  public Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
      String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints, List<Budget> budgets,
      Pricing pricing, List<ProviderEndpoint> providers, LedgerSettings ledger, Coverage coverage) {
    this(source, version, mode, tools, limits, log, profile, profiles, entryPoints, budgets, pricing, providers, ledger,
        coverage, MetricsSettings.DEFAULT);
  }

  /** A policy without {@code coverage:} requirements. */
  public Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
      String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints, List<Budget> budgets,
      Pricing pricing, List<ProviderEndpoint> providers, LedgerSettings ledger) {
    this(source, version, mode, tools, limits, log, profile, profiles, entryPoints, budgets, pricing, providers, ledger,
        Coverage.DEFAULT);
  }

  /** A policy without budgets, pricing, providers and ledger settings (all at their defaults). */
  public Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
      String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints) {
    this(source, version, mode, tools, limits, log, profile, profiles, entryPoints, List.of(), Pricing.DEFAULT,
        List.of(), LedgerSettings.DEFAULT);
  }

  /** A policy without profiles and entry points. */
  public Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log) {
    this(source, version, mode, tools, limits, log, null, Map.of(), List.of());
  }

  /** This policy in another mode (the agent's {@code tollgate.mode} override); nothing else changes. */
  public Policy withMode(Mode newMode) {
    return new Policy(source, version, newMode, tools, limits, log, profile, profiles, entryPoints, budgets, pricing,
        providers, ledger, coverage, metrics);
  }

  /**
   * This policy with another active profile (the agent's {@code tollgate.profile} override): that profile's
   * {@code tools} become the tool rules in force.
   *
   * @throws PolicyException naming the available profiles when the policy defines no profile {@code name}
   */
  public Policy withProfile(String name) throws PolicyException {
    ToolRules chosen = profiles.get(name);
    if (chosen == null) {
      List<String> names = new ArrayList<>(profiles.keySet());
      String nearest = name == null ? null : PolicyValidator.nearest(name, names);
      String message = "profile " + PolicyValidator.quote(String.valueOf(name))
          + " (chosen by tollgate.profile) is not defined in the policy; "
          + (names.isEmpty() ? "the policy defines no profiles" : "profiles: " + String.join(", ", names))
          + (nearest == null ? "" : "; did you mean " + PolicyValidator.quote(nearest) + "?");
      throw new PolicyException(List.of(new PolicyError(source, 0, 0, message)));
    }
    return new Policy(source, version, mode, chosen, limits, log, name, profiles, entryPoints, budgets, pricing,
        providers, ledger, coverage, metrics);
  }
}
