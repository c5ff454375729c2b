package dev.tollgate.policy.engine;

import dev.tollgate.policy.Policy;
import java.time.Clock;

/**
 * Decides tool calls against one policy. Thread-safe: counters are atomic, so with M threads racing on a
 * limit of N exactly N calls are let through.
 *
 * <p>Order: deny globs, allow globs / default, then limits. A call refused by a tool rule does not count
 * toward limits; a call refused by a limit does not count either. In monitor mode every call runs and counts.
 * Outside any run ({@code runId == null}) each call is a run of its own.
 */
public final class PolicyEngine {
  public PolicyEngine(Policy policy, Clock clock) {
    throw new UnsupportedOperationException("TODO");
  }

  public Policy policy() {
    throw new UnsupportedOperationException("TODO");
  }

  public ToolVerdict decide(ToolCall call) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Forgets a run's counters once the run has ended. */
  public void endRun(String runId) {
    throw new UnsupportedOperationException("TODO");
  }
}
