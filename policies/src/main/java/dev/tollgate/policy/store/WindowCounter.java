package dev.tollgate.policy.store;

import java.util.ArrayDeque;

/**
 * A rolling-window counter: the timestamps (clock millis) of the calls counted, oldest first. A call counts
 * while {@code now - timestamp < window}. It keeps only timestamps inside the window, and never more than
 * the cap: whether a new call passes the cap depends only on the cap-th most recent one. So
 * {@link #calls} is at most the cap, even for calls counted past it by warn limits and monitor mode. The cap is the
 * one each call is decided against (an operator may raise it): stamps are trimmed to the largest in force.
 *
 * <p>Synchronized: the critical section is a few deque operations, never I/O.
 */
public final class WindowCounter extends Counter {
  private final long max;
  private final long windowMillis;
  private final ArrayDeque<Long> stamps = new ArrayDeque<>();

  public WindowCounter(long max, long windowMillis) {
    this.max = max;
    this.windowMillis = windowMillis;
  }

  @Override
  public long max() {
    return max;
  }

  @Override
  public synchronized boolean tryTake(long now, long cap) {
    expire(now);
    if (stamps.size() >= cap) {
      return false;
    }
    stamps.addLast(now);
    return true;
  }

  @Override
  public synchronized void giveBack(long now) {
    stamps.removeLastOccurrence(now);
  }

  @Override
  public synchronized boolean countAnyway(long now, long cap) {
    expire(now);
    boolean over = stamps.size() >= cap;
    stamps.addLast(now);
    while (stamps.size() > Math.max(max, cap)) {
      stamps.removeFirst();
    }
    return over;
  }

  synchronized java.util.List<Long> stamps(long now) {
    expire(now);
    return new java.util.ArrayList<>(stamps);
  }

  synchronized void preset(java.util.List<Long> counted) {
    stamps.addAll(counted);
  }

  @Override
  public synchronized long calls(long now) {
    expire(now);
    return stamps.size();
  }

  private void expire(long now) {
    // stamps are appended in call order; a clock that steps back leaves a newer stamp behind an older one,
    // which then expires a little late — never early
    while (!stamps.isEmpty() && now - stamps.peekFirst() >= windowMillis) {
      stamps.removeFirst();
    }
  }
}
