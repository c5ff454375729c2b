package dev.tollgate.policy.store;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Calls counted against one cap of one limit (tool calls and LLM calls alike: the one counter implementation) in one scope instance and partition (and, for the loop guard,
 * one tool-and-arguments pair). Racing callers never overshoot the cap.
 */
public abstract sealed class Counter permits CallCounter, WindowCounter {
  private final AtomicBoolean breached = new AtomicBoolean();

  public static Counter of(long max, Duration window) {
    return window == null ? new CallCounter(max) : new WindowCounter(max, window.toMillis());
  }

  /**
   * A counter for a reloaded limit that kept its name and window: it starts with the calls {@code previous} holds at
   * {@code now} (the same timestamps, with a window) and counts against {@code max}.
   */
  public static Counter carried(Counter previous, long max, Duration window, long now) {
    Counter next = of(max, window);
    if (previous instanceof CallCounter old && next instanceof CallCounter fresh) {
      fresh.preset(old.calls(now));
    } else if (previous instanceof WindowCounter old && next instanceof WindowCounter fresh) {
      fresh.preset(old.stamps(now));
    }
    return next;
  }

  /** Takes one slot if fewer than the cap are taken (at time {@code now}, for windows). */
  public final boolean tryTake(long now) {
    return tryTake(now, max());
  }

  /**
   * Takes one slot if fewer than {@code cap} are taken: the cap as operators raised it (an approval or override), which
   * may differ from the one the counter was made with.
   */
  public abstract boolean tryTake(long now, long cap);

  /** Gives back the slot taken by {@link #tryTake} at {@code now} for a call that another limit then refused. */
  public abstract void giveBack(long now);

  /** Counts a call that runs whatever the cap; true when the cap was already reached before it. */
  public final boolean countAnyway(long now) {
    return countAnyway(now, max());
  }

  /** {@link #countAnyway(long)} against {@code cap} (see {@link #tryTake(long, long)}). */
  public abstract boolean countAnyway(long now, long cap);

  /** The cap this counter was made with (the policy's). */
  public abstract long max();

  /** Calls counted (within the window at {@code now}, for windows). */
  public abstract long calls(long now);

  /** True exactly once per counter: the first breach is the one that gets a {@code limit.exceeded} line. */
  public final boolean firstBreach() {
    return breached.compareAndSet(false, true);
  }
}
