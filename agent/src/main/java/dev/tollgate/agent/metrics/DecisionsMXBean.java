package dev.tollgate.agent.metrics;

/** {@code dev.tollgate:type=Decisions}: what the guards decided since the JVM started. */
public interface DecisionsMXBean {
  long getToolCallsAllowed();

  long getToolCallsDenied();

  long getToolCallsWarned();

  long getLlmCallsAllowed();

  long getLlmCallsDenied();

  long getLlmCallsWarned();

  long getLimitsExceeded();

  long getBudgetsExceeded();

  long getBudgetWarnings();

  /** LLM calls whose response could not be read, charged the worst case their hold reserved. */
  long getLlmCallsUnmetered();

  /** What every settled LLM call cost, in USD, at the bundled prices. */
  double getLlmCostUsd();
}
