package dev.tollgate.policy.store;

import java.util.concurrent.atomic.AtomicLong;

/** A counter without a window: a lock-free CAS loop on one number. */
public final class CallCounter extends Counter {
  private final long max;
  private final AtomicLong calls = new AtomicLong();

  public CallCounter(long max) {
    this.max = max;
  }

  void preset(long counted) {
    calls.set(counted);
  }

  @Override
  public long max() {
    return max;
  }

  @Override
  public boolean tryTake(long now, long cap) {
    long current;
    do {
      current = calls.get();
      if (current >= cap) {
        return false;
      }
    } while (!calls.compareAndSet(current, current + 1));
    return true;
  }

  @Override
  public void giveBack(long now) {
    calls.decrementAndGet();
  }

  @Override
  public boolean countAnyway(long now, long cap) {
    return calls.getAndIncrement() >= cap;
  }

  @Override
  public long calls(long now) {
    return calls.get();
  }
}
