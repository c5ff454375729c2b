package dev.tollgate.policy.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Calls counted against one limit in one scope instance (one run, or the process). Lock-free. */
final class CallCounter {
  private final AtomicLong calls = new AtomicLong();
  private final AtomicBoolean breached = new AtomicBoolean();

  /** Takes one slot if fewer than {@code max} are taken; a CAS loop, so racing callers never overshoot. */
  boolean tryTake(long max) {
    long current;
    do {
      current = calls.get();
      if (current >= max) {
        return false;
      }
    } while (!calls.compareAndSet(current, current + 1));
    return true;
  }

  /** Gives back a slot taken by {@link #tryTake} for a call that another limit then refused. */
  void giveBack() {
    calls.decrementAndGet();
  }

  /** Counts a call that runs whatever the cap; returns the count before it. */
  long countAnyway() {
    return calls.getAndIncrement();
  }

  /** True exactly once per counter: the first breach is the one that gets a {@code limit.exceeded} line. */
  boolean firstBreach() {
    return breached.compareAndSet(false, true);
  }

  long calls() {
    return calls.get();
  }
}
