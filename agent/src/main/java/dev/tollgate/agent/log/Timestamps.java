package dev.tollgate.agent.log;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Formats instants exactly as {@link Instant#toString()} does (ISO-8601 UTC, the fraction in groups of three digits,
 * none when zero), reusing the formatted date and time of the last second seen: the log writer stamps thousands of
 * lines within one second. The date and time are written from {@link LocalDateTime}'s fields, not with a
 * {@code DateTimeFormatter}, whose classes the log's first line would otherwise load and initialise at start-up
 * (5 ms of the agent's CPU); {@code TimestampsTest} checks the text against {@link Instant#toString()}.
 */
final class Timestamps {
  /** Instants whose year has four digits (1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z); others are left to
   * {@link Instant#toString()}. */
  private static final long MIN_FAST = -30_610_224_000L;
  private static final long MAX_FAST = 253_402_300_799L;

  private record Second(long epochSecond, String text) {}

  private volatile Second last = new Second(Long.MIN_VALUE, "");

  String format(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    if (epochSecond < MIN_FAST || epochSecond > MAX_FAST) {
      return instant.toString();
    }
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, seconds(epochSecond));
      last = second;
    }
    int nanos = instant.getNano();
    StringBuilder out = new StringBuilder(32).append(second.text());
    if (nanos != 0) {
      out.append('.');
      if (nanos % 1_000_000 == 0) {
        appendDigits(out, nanos / 1_000_000, 3);
      } else if (nanos % 1000 == 0) {
        appendDigits(out, nanos / 1000, 6);
      } else {
        appendDigits(out, nanos, 9);
      }
    }
    return out.append('Z').toString();
  }

  /** {@code uuuu-MM-dd'T'HH:mm:ss} in UTC, for a year of four digits. */
  private static String seconds(long epochSecond) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    StringBuilder out = new StringBuilder(19);
    appendDigits(out, t.getYear(), 4);
    out.append('-');
    appendDigits(out, t.getMonthValue(), 2);
    out.append('-');
    appendDigits(out, t.getDayOfMonth(), 2);
    out.append('T');
    appendDigits(out, t.getHour(), 2);
    out.append(':');
    appendDigits(out, t.getMinute(), 2);
    out.append(':');
    appendDigits(out, t.getSecond(), 2);
    return out.toString();
  }

  private static void appendDigits(StringBuilder out, int value, int width) {
    String digits = Integer.toString(value);
    for (int pad = width - digits.length(); pad > 0; pad--) {
      out.append('0');
    }
    out.append(digits);
  }
}
