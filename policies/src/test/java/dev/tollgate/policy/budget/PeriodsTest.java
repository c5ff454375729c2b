package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.LocalDate;
import java.time.YearMonth;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Day periods follow local midnight across daylight-saving changes: one 23-hour and one 25-hour day each. */
class PeriodsTest {
  @ParameterizedTest(name = "{0} {1}: {4}h")
  @CsvSource({
      // zone, local date, first instant of the day (local midnight), first instant of the next day, hours
      "America/New_York, 2026-03-08, 2026-03-08T05:00:00Z, 2026-03-09T04:00:00Z, 23",
      "America/New_York, 2026-11-01, 2026-11-01T04:00:00Z, 2026-11-02T05:00:00Z, 25",
      "Europe/Berlin, 2026-03-29, 2026-03-28T23:00:00Z, 2026-03-29T22:00:00Z, 23",
      "Europe/Berlin, 2026-10-25, 2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z, 25",
      "UTC, 2026-11-24, 2026-11-24T00:00:00Z, 2026-11-25T00:00:00Z, 24"})
  void aDstDayIsOnePeriodFromLocalMidnightToLocalMidnight(String zoneId, String date, String start, String next,
      int hours) {
    ZoneId zone = ZoneId.of(zoneId);
    Instant first = Instant.parse(start);
    Instant end = Instant.parse(next);
    assertEquals(Duration.ofHours(hours), Duration.between(first, end));
    assertEquals(date, Periods.day(first, zone));
    assertEquals(date, Periods.day(first.plus(Duration.ofHours(hours / 2)), zone));
    assertEquals(date, Periods.day(end.minusMillis(1), zone));
    assertEquals(java.time.LocalDate.parse(date).minusDays(1).toString(), Periods.day(first.minusMillis(1), zone));
    assertEquals(java.time.LocalDate.parse(date).plusDays(1).toString(), Periods.day(end, zone));
    assertEquals(date.substring(0, 7), Periods.month(first, zone));
  }

  @Property(tries = 2000)
  void aMonthIsWrittenAsYearMonthWritesIt(@ForAll @IntRange(min = -999_999_999, max = 999_999_999) int year,
      @ForAll @IntRange(min = 1, max = 12) int month, @ForAll @IntRange(min = 1, max = 28) int day) {
    LocalDate date = LocalDate.of(year, month, day);
    assertEquals(YearMonth.from(date).toString(), Periods.month(date));
  }

  @ParameterizedTest
  @CsvSource({"2026-12-31, 2026-12", "0999-01-01, 0999-01", "0000-02-01, 0000-02", "-0001-03-01, -0001-03",
      "+10000-11-01, 10000-11"})
  void monthsAroundTheEdgesOfFourDigits(String date, String month) {
    assertEquals(month, Periods.month(LocalDate.parse(date)));
  }
}
