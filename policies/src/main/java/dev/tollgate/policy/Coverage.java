package dev.tollgate.policy;

/**
 * {@code coverage:}: which choke points must be woven in the JVM before Tollgate lets governed calls through.
 * Without it a gap is only reported (a {@code coverage.gap} line and one stderr warning); with
 * {@code require: [llm]} (or {@code tools}) every governed call is refused while that coverage is missing.
 *
 * @param requireLlm   {@code llm} is required: an instrumented HTTP client that carries LLM calls
 * @param requireTools {@code tools} is required: an instrumented tool dispatcher
 */
public record Coverage(boolean requireLlm, boolean requireTools) {
  /** No requirement: gaps are reported, never enforced. */
  public static final Coverage DEFAULT = new Coverage(false, false);
}
