package dev.tollgate.agent.log;

import dev.tollgate.policy.event.LogEvent;

/**
 * Sees each typed event the guards produce, as it is produced, on the thread that produced it (a host thread on the
 * decision path): the enforcement log writes it, the metrics count it. Implementations do counter increments or a
 * hand-off, never I/O that can block the host (the log's durable writes are its own documented exception), and
 * never throw.
 */
public interface EnforcementListener {
  /**
   * @param event   the event
   * @param durable true for refusals and halts, whose log line must be on disk before the host sees them
   */
  void onEvent(LogEvent event, boolean durable);
}
