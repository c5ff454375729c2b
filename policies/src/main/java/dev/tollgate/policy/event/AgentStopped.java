package dev.tollgate.policy.event;

/** Written by the agent's shutdown hook: agent errors swallowed so that the host went on (should be 0). */
public record AgentStopped(long suppressedErrors) implements LogEvent {
  public static final String NAME = "agent.stopped";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("suppressed_errors", suppressedErrors);
  }

  static AgentStopped read(Line l) {
    return new AgentStopped(l.whole("suppressed_errors", 0));
  }
}
