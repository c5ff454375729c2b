package dev.tollgate.bootstrap;

/**
 * What advice substitutes for a refused tool call: either a text the framework hands to the model as the tool's
 * (error) result, so the agent can adapt, or an exception that ends the whole run.
 */
public final class Refusal {
  private final String text;
  private final RuntimeException halt;

  private Refusal(String text, RuntimeException halt) {
    this.text = text;
    this.halt = halt;
  }

  /** A refusal the model sees as the tool's result, e.g. {@code blocked by policy: tools.deny[0]: ...}. */
  public static Refusal toModel(String text) {
    return new Refusal(text, null);
  }

  /** A refusal that ends the run with {@code halt}. */
  public static Refusal haltRun(RuntimeException halt) {
    return new Refusal(halt.getMessage(), halt);
  }

  public String text() {
    return text;
  }

  /** The exception to throw, or null when the model should see {@link #text()}. */
  public RuntimeException halt() {
    return halt;
  }
}
