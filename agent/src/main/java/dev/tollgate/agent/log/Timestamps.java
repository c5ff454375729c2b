package dev.tollgate.agent.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats instants exactly as {@link Instant#toString()} does (ISO-8601 UTC, the fraction in groups of three digits,
 * none when zero), reusing the formatted date and time of the last second seen: the log writer stamps thousands of
 * lines within one second, and the JDK's formatter is most of the cost of a line.
 */
final class Timestamps {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  /** Instants whose year has four digits; others are left to {@link Instant#toString()}. */
  private static final long MIN_FAST = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX_FAST = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  private record Second(long epochSecond, String text) {}

  private volatile Second last = new Second(Long.MIN_VALUE, "");

  String format(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    if (epochSecond < MIN_FAST || epochSecond > MAX_FAST) {
      return instant.toString();
    }
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, SECONDS.format(instant));
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

  private static void appendDigits(StringBuilder out, int value, int width) {
    String digits = Integer.toString(value);
    for (int pad = width - digits.length(); pad > 0; pad--) {
      out.append('0');
    }
    out.append(digits);
  }
}
