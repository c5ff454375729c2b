package dev.tollgate.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The log's cached timestamp formatting writes exactly what {@link Instant#toString()} writes. */
class TimestampsTest {
  private final Timestamps timestamps = new Timestamps();

  @Property(tries = 5000)
  void formatsLikeInstantToString(@ForAll @LongRange(min = -100_000_000_000L, max = 300_000_000_000L) long second,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos, @ForAll @IntRange(min = 0, max = 3) int precision) {
    int n = switch (precision) {
      case 0 -> 0;
      case 1 -> nanos / 1_000_000 * 1_000_000;
      case 2 -> nanos / 1000 * 1000;
      default -> nanos;
    };
    Instant instant = Instant.ofEpochSecond(second, n);
    assertEquals(instant.toString(), timestamps.format(instant));
    Instant sameSecond = Instant.ofEpochSecond(second, (n + 1) % 1_000_000_000);
    assertEquals(sameSecond.toString(), timestamps.format(sameSecond), "from the cached second");
  }
}
