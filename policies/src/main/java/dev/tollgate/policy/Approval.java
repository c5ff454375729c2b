package dev.tollgate.policy;

import java.time.Duration;

/**
 * {@code approval:} of a budget or limit with {@code on_exceed: pause}: how long the paused call waits for {@code approve} or
 * {@code deny}, and what happens when nobody answers in time ({@code block} or {@code halt}).
 */
public record Approval(Duration timeout, OnExceed onTimeout) {
  public static final Approval DEFAULT = new Approval(Duration.ofMinutes(5), OnExceed.BLOCK);
}
