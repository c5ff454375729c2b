package dev.tollgate.policy.engine;

/**
 * The engine's answer for one tool call.
 *
 * @param outcome  allow, deny or warn
 * @param enforced true when the agent must refuse the call (deny in enforce mode); false in monitor mode or for warn
 * @param halt     true when the refusal must end the whole run (a limit with {@code on_exceed: halt})
 * @param rule     the policy path that decided, e.g. {@code tools.deny[1]}, {@code tools.default}, {@code limits[0]}
 * @param reason   short human text for the model and the log, e.g. {@code tool matches deny glob "delete_*"}
 * @param breach   the limit passed, or null
 */
public record ToolVerdict(Outcome outcome, boolean enforced, boolean halt, String rule, String reason, LimitBreach breach) {
  /** True when the tool body may run. */
  public boolean proceeds() {
    return !enforced;
  }

  /**
   * The limit breach this refused call may wait on for an operator's approval ({@code on_exceed: pause} passed on
   * {@code max_calls} in a scope instance that is kept), or null: the call is refused (or halts) as it is.
   */
  public LimitBreach paused() {
    return enforced && !halt && breach != null && breach.onExceed() == dev.tollgate.policy.OnExceed.PAUSE
        && !breach.identical() && breach.instance() != null && rule.startsWith("limits[") ? breach : null;
  }

  /**
   * The same refused call, decided by {@code rule} for {@code reason} (an operator's deny, a timeout); its breach was
   * reported when the call paused, so it is no longer the first.
   */
  public ToolVerdict refusedBy(String rule, String reason, boolean halt) {
    LimitBreach b = breach == null ? null : new LimitBreach(breach.limit(), breach.scope(), breach.maxCalls(),
        breach.onExceed(), false, breach.identical(), breach.window(), breach.partition(), breach.instance());
    return new ToolVerdict(Outcome.DENY, true, halt, rule, reason, b);
  }

  /** What the model (or the app) is told when the call is refused. */
  public String refusal() {
    return refusal(rule, reason);
  }

  /** The refusal text of every decision: {@code blocked by policy: <rule path>: <reason>}. */
  public static String refusal(String rule, String reason) {
    return "blocked by policy: " + rule + ": " + reason;
  }

  /** A refusal that also ended the run ({@code on_exceed: halt}). */
  public static String halted(String refusal) {
    return refusal + "; the run was halted (on_exceed: halt)";
  }
}
