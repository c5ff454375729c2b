package dev.tollgate.policy.budget;

/**
 * Where a settled LLM call's charge comes from: what the provider reported, an estimate, or nothing (the provider
 * refused or never answered: providers do not bill failed requests).
 */
public enum UsageSource {
  REPORTED, ESTIMATED, NONE;

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
    return usagePresent && (usageArrivesOnce || readToEnd && !problem) ? REPORTED : ESTIMATED;
  }

  /** As the log writes it. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
