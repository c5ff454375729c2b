package dev.tollgate.agent.metrics;

/** {@code dev.tollgate:type=Agent}: the agent's own health. */
public interface AgentMXBean {
  /** Errors of the agent's own code that were kept from the host; anything but 0 is a bug to report. */
  long getSuppressedErrors();

  /** Events queued for the enforcement log's writer thread and not yet written. */
  int getLogQueueDepth();
}
