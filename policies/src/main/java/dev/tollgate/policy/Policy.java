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
 * @param header      {@code lock:}, {@code fail_mode:} and where the lockable keys are set ({@link Header#NONE} for a
 *                    policy built in code)
 * @param governance  the organisation's layers merged into this policy ({@link Governance#NONE}: none); their limits
 *                    and budgets are in {@code limits} and {@code budgets} too, first
 */
public record Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
    String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints, List<Budget> budgets,
    Pricing pricing, List<ProviderEndpoint> providers, LedgerSettings ledger, Coverage coverage,
    MetricsSettings metrics, Header header, Governance governance) {
  public Policy {
    header = header == null ? Header.NONE : header;
    governance = governance == null ? Governance.NONE : governance;
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

  /** A policy of one file, not governed. */
  public Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log,
      String profile, Map<String, ToolRules> profiles, List<EntryPoint> entryPoints, List<Budget> budgets,
      Pricing pricing, List<ProviderEndpoint> providers, LedgerSettings ledger, Coverage coverage,
      MetricsSettings metrics) {
    this(source, version, mode, tools, limits, log, profile, profiles, entryPoints, budgets, pricing, providers, ledger,
        coverage, metrics, Header.NONE, Governance.NONE);
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
        providers, ledger, coverage, metrics, header, governance);
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
        providers, ledger, coverage, metrics, header, governance);
  }

  /**
   * This (app) policy governed by {@code org}: the organisation's limits and budgets come first in {@code limits} and
   * {@code budgets}, its coverage requirements are added, and {@code mode} is the locked one when a layer locks it.
   */
  public Policy governedBy(Governance org, Mode lockedMode) {
    List<Limit> allLimits = new ArrayList<>();
    List<Budget> allBudgets = new ArrayList<>();
    boolean requireLlm = coverage.requireLlm();
    boolean requireTools = coverage.requireTools();
    for (Governance.Layer layer : org.layers()) {
      allLimits.addAll(layer.policy().limits());
      allBudgets.addAll(layer.policy().budgets());
      requireLlm |= layer.policy().coverage().requireLlm();
      requireTools |= layer.policy().coverage().requireTools();
    }
    allLimits.addAll(limits);
    allBudgets.addAll(budgets);
    return new Policy(source, version, lockedMode == null ? mode : lockedMode, tools, allLimits, log, profile, profiles,
        entryPoints, allBudgets, pricing, providers, ledger, new Coverage(requireLlm, requireTools), metrics, header,
        org);
  }

  /**
   * What a rule path of limit or budget {@code name} starts with: {@code "governance/org.yaml: "} for an organisation's,
   * "" for the app's own.
   */
  public String rulePrefix(String name) {
    Governance.Layer layer = governance.ownerOf(name);
    return layer == null ? "" : layer.label() + ": ";
  }

  /** True when limit or budget {@code name} is only reported: its own file (the app's, or a governance file) monitors. */
  public boolean monitors(String name) {
    Governance.Layer layer = governance.ownerOf(name);
    return (layer == null ? mode : layer.policy().mode()) == Mode.MONITOR;
  }
}
