package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * What a policy needs woven in this JVM and is not: decided here, reported and carried out by the agent.
 *
 * <p>A policy needs an LLM choke point when it has budgets or LLM-call limits (else they silently never count) or
 * requires one ({@code coverage.require: [llm]}); it needs a tool choke point only when it requires one. A gap is
 * enforced when something it misses is required and the policy is in {@code enforce} mode: then every governed
 * call the agent does see is refused with {@link #reason()} until the coverage arrives.
 *
 * @param missing  what is missing: {@code llm}, {@code tools}, or both
 * @param enforced whether governed calls are refused because of it
 * @param reason   what is missing and why it matters, for the log, stderr and a refusal
 */
public record CoverageGap(List<String> missing, boolean enforced, String reason) {
  public CoverageGap {
    missing = List.copyOf(missing);
  }

  /** The gap of {@code policy} when LLM and tool choke points are or are not woven, or null when there is none. */
  public static CoverageGap of(Policy policy, boolean llmWoven, boolean toolsWoven) {
    Coverage required = policy.coverage();
    boolean llmLimits = policy.limits().stream().anyMatch(Limit::countsLlmCalls);
    boolean needsLlm = required.requireLlm() || !policy.budgets().isEmpty() || llmLimits;
    List<String> missing = new ArrayList<>();
    List<String> why = new ArrayList<>();
    boolean enforced = false;
    if (needsLlm && !llmWoven) {
      missing.add("llm");
      why.add("no HTTP client that carries LLM calls is instrumented in this JVM, so "
          + (policy.budgets().isEmpty() && !llmLimits ? "no LLM call is seen"
              : "budgets" + (llmLimits ? " and LLM-call limits" : "") + " cannot count a single LLM call")
          + (required.requireLlm() ? " (coverage.require: llm)" : ""));
      enforced = required.requireLlm();
    }
    if (required.requireTools() && !toolsWoven) {
      missing.add("tools");
      why.add("no tool dispatcher is instrumented in this JVM, so tool rules and limits cannot see a single tool call"
          + " (coverage.require: tools)");
      enforced = true;
    }
    if (missing.isEmpty()) {
      return null;
    }
    return new CoverageGap(missing, enforced && policy.mode() == Mode.ENFORCE, String.join("; ", why));
  }

  /** The text a refused call carries (the model reads it for a tool call). */
  public String refusal() {
    return "blocked by policy: coverage.require: " + reason();
  }
}
