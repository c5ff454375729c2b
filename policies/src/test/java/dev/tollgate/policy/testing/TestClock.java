package dev.tollgate.policy.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests set and move by hand. */
public final class TestClock extends Clock {
  private final AtomicLong millis;

  /** Starts at 2023-11-14T22:13:20Z. */
  public TestClock() {
    this(Instant.ofEpochMilli(1_700_000_000_000L));
  }

  public TestClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  public TestClock(String instant) {
    this(Instant.parse(instant));
  }

  public void advance(Duration d) {
    millis.addAndGet(d.toMillis());
  }

  public void set(String instant) {
    millis.set(Instant.parse(instant).toEpochMilli());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
