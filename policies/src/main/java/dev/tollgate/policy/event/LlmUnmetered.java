package dev.tollgate.policy.event;

/**
 * An LLM call's response could not be read (an encoding the meter does not decode, a body that is not the JSON or
 * events it should be) and reported no usage, so nothing bounds what it generated: the call was charged the worst
 * case its hold reserved. Written beside its {@code llm.call}, whose {@code usage} is {@code estimated}.
 *
 * @param problem      why the response could not be read (never body text)
 * @param outputTokens the output charged: the request's max output tokens (times its choices), or the policy's default
 * @param costNanos    what the call was charged
 */
public record LlmUnmetered(String client, String provider, String model, String run, String session, String problem,
    long outputTokens, long costNanos) implements LogEvent {
  public static final String NAME = "llm.unmetered";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("client", client).put("provider", provider).put("model", model).put("run", run).put("session", session)
        .put("problem", problem).put("output_tokens", outputTokens).usd("cost_usd", costNanos);
  }

  static LlmUnmetered read(Line l) {
    Long cost = l.nanos("cost_usd");
    return new LlmUnmetered(l.text("client"), l.text("provider"), l.text("model"), l.text("run"), l.text("session"),
        l.text("problem"), l.whole("output_tokens", 0), cost == null ? 0 : cost);
  }
}
