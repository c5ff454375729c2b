package dev.tollgate.policy.budget;

import java.time.Instant;
import java.time.LocalDate;
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
    return month(LocalDate.ofInstant(instant, zone));
  }

  /**
   * The month of {@code date} as {@code YearMonth.toString()} writes it ({@code yyyy-MM}; a year below 1000 padded to
   * four digits, a negative one with its sign), without {@code YearMonth}: its class initialisation builds a
   * {@code DateTimeFormatter} (3.5 ms of the agent's CPU when the ledger opens at start-up). {@code PeriodsTest}
   * checks it against {@code YearMonth} over every year.
   */
  public static String month(LocalDate date) {
    int year = date.getYear();
    int month = date.getMonthValue();
    StringBuilder out = new StringBuilder(10);
    if (Math.abs(year) < 1000) {
      if (year < 0) {
        out.append(year - 10000).deleteCharAt(1);
      } else {
        out.append(year + 10000).deleteCharAt(0);
      }
    } else {
      out.append(year);
    }
    return out.append(month < 10 ? "-0" : "-").append(month).toString();
  }
}
