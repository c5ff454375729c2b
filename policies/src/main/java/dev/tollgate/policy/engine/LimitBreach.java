package dev.tollgate.policy.engine;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Scope;
import java.time.Duration;

/**
 * A limit that this call would pass.
 *
 * @param limit     the limit's name
 * @param scope     its scope
 * @param maxCalls  the cap that was passed: the limit's {@code max_calls} (as operators' approvals raised it), or
 *                  its {@code max_identical} when {@code identical} is true
 * @param onExceed  what the policy asks for
 * @param first     true for the first breach of this limit in this scope instance and partition (log
 *                  {@code limit.exceeded} once)
 * @param identical true when the loop guard ({@code max_identical}) was passed, false for {@code max_calls}
 * @param window    the limit's rolling window, or null
 * @param partition the partition counted in ({@code per}: the session id or MDC value, "" when the call had
 *                  none), or null when the limit is not partitioned
 * @param instance  for a limit with {@code on_exceed: pause}, the scope instance counted in (the run, the session or
 *                  {@code process}), as an approval names it; null for a call alone in its run or session, and for
 *                  limits that do not pause
 */
public record LimitBreach(String limit, Scope scope, long maxCalls, OnExceed onExceed, boolean first,
    boolean identical, Duration window, String partition, String instance) {
  /** A breach without the instance. */
  public LimitBreach(String limit, Scope scope, long maxCalls, OnExceed onExceed, boolean first,
      boolean identical, Duration window, String partition) {
    this(limit, scope, maxCalls, onExceed, first, identical, window, partition, null);
  }

  /** A {@code max_calls} breach of a limit without window or partition. */
  public LimitBreach(String limit, Scope scope, long maxCalls, OnExceed onExceed, boolean first) {
    this(limit, scope, maxCalls, onExceed, first, false, null, null);
  }
}
