package dev.tollgate.policy.event;

/**
 * The agent's background set-up is done (its load gate open, its guard installed): where start-up time went.
 * {@code appBlockedMs} adds the time class loads waited at the gate and the time governed calls waited for the guard.
 * {@code guardStart} says when the guard's set-up began ({@code "with the weaving"}, {@code "first call"},
 * {@code "start-up over"}, {@code "at the latest"}, or {@code "never"}: the app ended first and needed none), and
 * {@code guardDeferredMs} how long after the weaving was ready; {@code guardMs} is the set-up's own time. Both are
 * null / 0 in lines written before they existed.
 */
public record AgentReady(long guardMs, long weaveSetupMs, long retransformMs, long appBlockedMs,
    long blockedClassLoads, String firstBlockedClass, long blockedCalls, String weaveCache, String guardStart,
    long guardDeferredMs) implements LogEvent {
  public static final String NAME = "agent.ready";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("guard_ms", guardMs).put("weave_setup_ms", weaveSetupMs).put("retransform_ms", retransformMs)
        .put("app_blocked_ms", appBlockedMs).put("blocked_class_loads", blockedClassLoads)
        .put("first_blocked_class", firstBlockedClass).put("blocked_calls", blockedCalls)
        .put("weave_cache", weaveCache).put("guard_start", guardStart).put("guard_deferred_ms", guardDeferredMs);
  }

  static AgentReady read(Line l) {
    return new AgentReady(l.whole("guard_ms", 0), l.whole("weave_setup_ms", 0), l.whole("retransform_ms", 0),
        l.whole("app_blocked_ms", 0), l.whole("blocked_class_loads", 0), l.text("first_blocked_class"),
        l.whole("blocked_calls", 0), l.text("weave_cache"), l.text("guard_start"), l.whole("guard_deferred_ms", 0));
  }
}
