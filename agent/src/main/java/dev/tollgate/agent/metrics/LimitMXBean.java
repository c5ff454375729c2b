package dev.tollgate.agent.metrics;

/** {@code dev.tollgate:type=Limit,name=<limit>}: one limit of the policy. Unset caps are -1. */
public interface LimitMXBean {
  /** run, session or process. */
  String getScope();

  /** {@code tools} or {@code llm}: what the limit counts. */
  String getCounts();

  long getMaxCalls();

  long getMaxIdentical();

  /** The rolling window in seconds, or 0 without one. */
  long getWindowSeconds();

  /**
   * Calls counted now: the process-wide count of a {@code process} limit without {@code per}, the highest count
   * among the live instances of an LLM-call limit; -1 where instances are per run or session of a tool limit (see
   * {@link #getExceeded()}).
   */
  long getCount();

  /** How many times the limit was passed ({@code limit.exceeded} events) since the JVM started. */
  long getExceeded();
}
