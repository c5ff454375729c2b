package dev.tollgate.policy.event;

import dev.tollgate.policy.engine.Outcome;

/**
 * One tool call decided: allowed, denied or warned, whether the refusal was carried out ({@code enforced}), the rule
 * and reason, and where it ran. The arguments appear only as their SHA-256.
 */
public record ToolCallEvent(Outcome decision, boolean enforced, String rule, String reason, String tool,
    String framework, String run, String session, String limit, Digest args) implements LogEvent {
  public static final String NAME = "tool.call";

  @Override
  public String name() {
    return NAME;
  }

  /** Refused: denied and carried out. */
  public boolean refused() {
    return decision == Outcome.DENY && enforced;
  }

  @Override
  public void write(Fields out) {
    out.put("decision", LogEvent.wire(decision)).put("enforced", enforced).put("rule", rule).put("reason", reason)
        .put("tool", tool).put("framework", framework).put("run", run).put("session", session).put("limit", limit)
        .put("args_sha256", args);
  }

  static ToolCallEvent read(Line l) {
    return new ToolCallEvent(l.choice("decision", Outcome.class), l.flag("enforced", false), l.text("rule"),
        l.text("reason"), l.text("tool"), l.text("framework"), l.text("run"), l.text("session"), l.text("limit"),
        Digest.ofHex(l.text("args_sha256")));
  }
}
