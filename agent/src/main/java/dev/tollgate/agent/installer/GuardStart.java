package dev.tollgate.agent.installer;

import dev.tollgate.agent.metrics.Metrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * When the guard's set-up (the log's first lines, the ledger, the engine, the budgets, the policy watcher, the
 * metrics: ~60 ms of CPU and ~150 classes) begins, on a start whose weaving is ready at once (a warm weave cache):
 * at the first governed call, or once the app's start-up is over ({@value #QUIET_MILLIS} ms without a class load,
 * as the metrics' export waits: {@link Metrics#awaitStartUpOver}), or {@value #MAX_DELAY_MILLIS} ms after the
 * weaving is ready, whichever comes first.
 * Run beside the app's start, that set-up competed with it for the same cores (two here, the JIT's threads using
 * most of the second); nothing of the app's start needs it. A governed call made before it is ready waits for it, as
 * one made during {@code premain}'s hand-off always did: {@link dev.tollgate.bootstrap.Guard} runs this object (the
 * call "wants" the guard) and then waits.
 *
 * <p>An app that ends before any of these made no governed call and needs no guard: its shutdown hook claims the
 * start ({@link #endedFirst}) and writes the log's first lines itself, without the ledger or the engine. A governed
 * call made after that (from another shutdown hook) still gets its guard: wanting it then starts the set-up on the
 * spot.
 */
final class GuardStart implements Runnable {
  /** The app's start-up is taken to be over after this long without a class load. */
  static final long QUIET_MILLIS = Metrics.QUIET_MILLIS;
  /** The set-up begins at the latest this long after the weaving is ready. */
  static final long MAX_DELAY_MILLIS = Metrics.MAX_DELAY_MILLIS;

  /** Why the set-up began ({@code guard_start} of {@code agent.ready}), besides {@link Metrics}' three reasons. */
  static final String WITH_THE_WEAVING = "with the weaving";
  /** The app ended before any governed call and before its start-up was over: no set-up ran. */
  static final String NEVER = "never";

  private static final int WAITING = 0;
  private static final int BEGUN = 1;
  /** The app ended first: the shutdown hook wrote the first lines; a later call starts the set-up itself. */
  private static final int ENDED = 2;

  private final long quietMillis;
  private final long maxMillis;
  private final CountDownLatch wanted = new CountDownLatch(1);
  private final AtomicInteger state = new AtomicInteger(WAITING);
  private volatile Thread setUp;
  private volatile Runnable atEnd;
  private volatile String reason;

  /**
   * {@code -Dtollgate.guard.quiet-ms} (internal, for tests) lengthens the quiet period: a forked test app that must end
   * before its start-up counts as over cannot then lose that race to a loaded machine.
   */
  GuardStart() {
    this(Long.getLong("tollgate.guard.quiet-ms", QUIET_MILLIS), MAX_DELAY_MILLIS);
  }

  /** With other bounds (tests). */
  GuardStart(long quietMillis, long maxMillis) {
    this.quietMillis = quietMillis;
    this.maxMillis = maxMillis;
  }

  /** A governed call wants the guard (from {@code Guard}, on the calling thread, before it waits): cheap, no throw. */
  @Override
  public void run() {
    wanted.countDown();
    startIfWantedAfterEnd();
  }

  /** The set-up runs on {@code t} (not started yet); {@code atEnd} is what the app's end writes if it never began. */
  void prepare(Thread t, Runnable atEnd) {
    this.setUp = t;
    this.atEnd = atEnd;
    startIfWantedAfterEnd(); // the app ended before this start was ready, and a call (a shutdown hook's) wants it
  }

  /**
   * Starts the set-up if the app ended first and a call wants the guard. Each of the three sides (the call, the
   * app's end, the set-up thread's preparation) writes its part and then looks here, so whichever comes last sees
   * the others' and starts it, once.
   */
  private void startIfWantedAfterEnd() {
    Thread t = setUp;
    if (t != null && wanted.getCount() == 0 && state.compareAndSet(ENDED, BEGUN)) {
      reason = Metrics.FIRST_CALL;
      t.start();
    }
  }

  /** The set-up begins at once (a cold or no weave cache, late attach): nothing waits, and the app's end waits for it. */
  void beginNow() {
    reason = WITH_THE_WEAVING;
    state.set(BEGUN);
  }

  /**
   * Waits on {@code tollgate-init} until the set-up should begin; true when it has claimed the start (the caller
   * starts the set-up thread; {@link #reason} says why), false when the app ended first (nothing to start).
   */
  boolean await(IntSupplier classLoads) throws InterruptedException {
    String why = Metrics.awaitStartUpOver(wanted, classLoads, quietMillis, maxMillis);
    if (!state.compareAndSet(WAITING, BEGUN)) {
      return false;
    }
    reason = why;
    return true;
  }

  /**
   * The app is ending: true if the set-up never began, and now begins only if a governed call wants it. Then
   * {@code firstLines} (the log's first lines) and the {@code agent.ready} line are written, in that order. False
   * if it began, or begins now because a call already wants it: the set-up writes those lines, and the caller waits
   * for them as it did before.
   */
  boolean endedFirst(Runnable firstLines) {
    if (!state.compareAndSet(WAITING, ENDED)) {
      return false;
    }
    if (wanted.getCount() == 0) {
      startIfWantedAfterEnd(); // or prepare() will, if tollgate-init has not come that far
      return false;
    }
    firstLines.run();
    Runnable r = atEnd;
    if (r != null) {
      r.run();
    }
    return true;
  }

  /** Why the set-up began, once it has (null before). */
  String reason() {
    return reason;
  }
}
