package dev.tollgate.policy.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;

/**
 * Calendar periods of day and month budgets. A day is from local midnight to the next local midnight in the
 * ledger's time zone, so across a daylight-saving change it lasts 23 or 25 hours (or, in zones that skip
 * midnight itself, starts at the first valid instant of the date); a month likewise.
 */
public final class Periods {
  private Periods() {}

  /** {@code yyyy-MM-dd} of {@code instant} in {@code zone}. */
  public static String day(Instant instant, ZoneId zone) {
    return LocalDate.ofInstant(instant, zone).toString();
  }

  /** {@code yyyy-MM} of {@code instant} in {@code zone}. */
  public static String month(Instant instant, ZoneId zone) {
    return YearMonth.from(LocalDate.ofInstant(instant, zone)).toString();
  }
}
