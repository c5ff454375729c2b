package dev.tollgate.policy;

import java.time.Duration;

/**
 * One entry of {@code limits:}. A limit has {@code max_calls}, {@code max_identical} or both; an absent one
 * is {@link #UNSET}.
 *
 * @param index        position in the {@code limits} list (for rule paths such as {@code limits[0]})
 * @param name         unique name
 * @param scope        run, session or process
 * @param tools        glob on tool names this limit counts, or null for an LLM-call limit
 * @param maxCalls     how many matching calls may run in one scope instance (0 = none), or {@link #UNSET}
 * @param onExceed     block, halt or warn
 * @param window       rolling window inside the scope (only calls this recent count), or null for no window
 * @param maxIdentical how many calls with the same tool and the same arguments may run in one scope instance
 *                     (at least 1), or {@link #UNSET}
 * @param per          partition of the counters: null, {@code "session"} or {@code "mdc:<key>"}
 * @param llm          glob on model names for a limit on LLM calls ({@code llm:} instead of {@code tools:}), else
 *                     null; such a limit never counts tool calls, and a tool limit never counts LLM calls
 * @param approval     with {@code on_exceed: pause}: how long the call that would pass {@code max_calls} waits for an
 *                     operator's {@code approve} or {@code deny}, and what then; null otherwise
 */
public record Limit(int index, String name, Scope scope, String tools, long maxCalls, OnExceed onExceed,
    Duration window, long maxIdentical, String per, String llm, Approval approval) {
  /** The value of {@link #maxCalls} or {@link #maxIdentical} when the policy does not set it. */
  public static final long UNSET = -1;

  public Limit {
    approval = onExceed == OnExceed.PAUSE && approval == null ? Approval.DEFAULT : approval;
  }

  /** Without {@code approval}. */
  public Limit(int index, String name, Scope scope, String tools, long maxCalls, OnExceed onExceed,
      Duration window, long maxIdentical, String per, String llm) {
    this(index, name, scope, tools, maxCalls, onExceed, window, maxIdentical, per, llm, null);
  }

  /** A tool-call limit. */
  public Limit(int index, String name, Scope scope, String tools, long maxCalls, OnExceed onExceed,
      Duration window, long maxIdentical, String per) {
    this(index, name, scope, tools, maxCalls, onExceed, window, maxIdentical, per, null);
  }

  /** A plain call cap, as in policy files before windows, loop guards and partitions. */
  public Limit(int index, String name, Scope scope, String tools, long maxCalls, OnExceed onExceed) {
    this(index, name, scope, tools, maxCalls, onExceed, null, UNSET, null);
  }

  /** True for a limit on LLM calls ({@code llm:}), false for a limit on tool calls. */
  public boolean countsLlmCalls() {
    return llm != null;
  }

  public boolean capsCalls() {
    return maxCalls != UNSET;
  }

  public boolean capsIdentical() {
    return maxIdentical != UNSET;
  }

  /** The MDC key this limit is partitioned by, or null when it is not partitioned by an MDC key. */
  public String mdcKey() {
    return per != null && per.startsWith("mdc:") ? per.substring(4) : null;
  }
}
