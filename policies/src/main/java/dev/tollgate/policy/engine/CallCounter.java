package dev.tollgate.policy.engine;

import java.util.concurrent.atomic.AtomicLong;

/** A counter without a window: a lock-free CAS loop on one number. */
final class CallCounter extends Counter {
  private final long max;
  private final AtomicLong calls = new AtomicLong();

  CallCounter(long max) {
    this.max = max;
  }

  @Override
  boolean tryTake(long now) {
    long current;
    do {
      current = calls.get();
      if (current >= max) {
        return false;
      }
    } while (!calls.compareAndSet(current, current + 1));
    return true;
  }

  @Override
  void giveBack(long now) {
    calls.decrementAndGet();
  }

  @Override
  boolean countAnyway(long now) {
    return calls.getAndIncrement() >= max;
  }

  @Override
  long calls(long now) {
    return calls.get();
  }
}
