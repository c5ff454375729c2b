package dev.tollgate.policy.engine;

import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.Scope;

/**
 * A limit that this call would pass.
 *
 * @param limit    the limit's name
 * @param scope    its scope
 * @param maxCalls its cap
 * @param onExceed what the policy asks for
 * @param first    true for the first breach of this limit in this scope instance (log {@code limit.exceeded} once)
 */
public record LimitBreach(String limit, Scope scope, long maxCalls, OnExceed onExceed, boolean first) {}
