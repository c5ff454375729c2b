package dev.tollgate.policy.budget;

/**
 * Where a settled LLM call's charge comes from: what the provider reported, an estimate from the text seen, the worst
 * case its hold reserved ({@link #UNREAD}), or nothing (the provider refused or never answered: providers do not bill
 * failed requests).
 */
public enum UsageSource {
  REPORTED, ESTIMATED,
  /**
   * The meter could not read the response (an encoding it does not decode, a body that is not the JSON or events it
   * should be) and found no usage: the text it saw bounds nothing, so the call is charged its worst case,
   * {@link LlmGovernor#worstCase}. Logged as {@code estimated}, with an {@code llm.unmetered} event.
   */
  UNREAD,
  NONE;

  /**
   * Decides how a response is charged.
   *
   * @param answered         a response was read at all
   * @param status           its HTTP status
   * @param usagePresent     usage figures were found in it
   * @param usageArrivesOnce the wire format reports usage once, complete, at its end (OpenAI's usage chunk,
   *                         Responses' {@code response.completed}, Ollama's {@code done}): seeing it is enough even
   *                         when the client stopped reading early; formats that report cumulative usage along the
   *                         way (Anthropic, Gemini) count as reported only when read to the end without a problem
   * @param readToEnd        the body was read to its end
   * @param problem          the meter met something it could not read
   */
  public static UsageSource of(boolean answered, int status, boolean usagePresent, boolean usageArrivesOnce,
      boolean readToEnd, boolean problem) {
    if (!answered || status < 200 || status >= 300) {
      return NONE;
    }
    if (usagePresent && (usageArrivesOnce || readToEnd && !problem)) {
      return REPORTED;
    }
    return !usagePresent && problem ? UNREAD : ESTIMATED;
  }

  /** As the log writes it: an unread response's charge is an estimate too, the worst one. */
  public String wire() {
    return (this == UNREAD ? ESTIMATED : this).name().toLowerCase(java.util.Locale.ROOT);
  }
}
