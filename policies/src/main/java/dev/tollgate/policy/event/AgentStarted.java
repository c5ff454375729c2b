package dev.tollgate.policy.event;

/** The agent is attached: its version, how ({@code premain}/{@code agentmain}), the JVM, and the fail mode. */
public record AgentStarted(String version, String attach, String java, Long pid, String failMode)
    implements LogEvent {
  public static final String NAME = "agent.started";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("version", version).put("attach", attach).put("java", java).put("pid", pid).put("fail_mode", failMode);
  }

  static AgentStarted read(Line l) {
    return new AgentStarted(l.text("version"), l.text("attach"), l.text("java"), l.whole("pid"), l.text("fail_mode"));
  }
}
