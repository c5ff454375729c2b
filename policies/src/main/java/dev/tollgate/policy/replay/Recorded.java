package dev.tollgate.policy.replay;

import dev.tollgate.policy.budget.Usage;
import java.time.Instant;

/** A call an enforcement log recorded as made, or the end of a run, to be decided again by {@link Replay}. */
public sealed interface Recorded {
  /** When the log says it happened. */
  Instant ts();

  /** Where it was read, {@code FILE:LINE}, to name in what the replay reports. */
  String where();

  /**
   * A tool call that ran. {@code argsSha256} is the digest of its arguments (the log keeps no more), or null.
   */
  record ToolCallMade(Instant ts, String where, String tool, String framework, String run, String session,
      String argsSha256) implements Recorded {}

  /** An LLM call that went out and settled at {@code costNanos} with {@code usage}. */
  record LlmCallMade(Instant ts, String where, String provider, String model, String run, String session,
      Usage usage, long costNanos) implements Recorded {}

  /** A run ended ({@code run.summary}): its counters and budgets are forgotten, as the agent forgets them. */
  record RunEnded(Instant ts, String where, String run) implements Recorded {}
}
