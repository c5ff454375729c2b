package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class GuardStartTest {

  /** A set-up thread that counts its starts (Thread.start twice would throw: that is the point). */
  private static Thread setUp(AtomicInteger ran, CountDownLatch done) {
    Thread t = new Thread(() -> {
      ran.incrementAndGet();
      done.countDown();
    }, "set-up");
    t.setDaemon(true);
    return t;
  }

  @Test
  void aCallThatWantsTheGuardBeginsItsSetUp() throws InterruptedException {
    GuardStart start = new GuardStart(60_000, 60_000);
    start.run(); // Guard runs this before the call waits
    assertTrue(start.await(() -> 0));
    assertEquals(Metrics.FIRST_CALL, start.reason());
    assertFalse(start.endedFirst(() -> { }), "the set-up began: the app's end waits for it as before");
  }

  @Test
  void theSetUpBeginsOnceTheStartUpIsQuietAndAtTheLatest() throws InterruptedException {
    GuardStart quiet = new GuardStart(50, 60_000);
    assertTrue(quiet.await(() -> 7));
    assertEquals(Metrics.START_UP_OVER, quiet.reason());
    AtomicInteger loads = new AtomicInteger();
    GuardStart busy = new GuardStart(60_000, 150);
    assertTrue(busy.await(loads::incrementAndGet));
    assertEquals(Metrics.AT_THE_LATEST, busy.reason());
  }

  @Test
  void anAppThatEndsFirstWritesItsFirstLinesAndThenItsReadyLine() throws InterruptedException {
    GuardStart start = new GuardStart(60_000, 60_000);
    List<String> written = new ArrayList<>();
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    start.prepare(setUp(ran, done), () -> written.add("agent.ready"));
    assertTrue(start.endedFirst(() -> written.add("agent.started")));
    assertEquals(List.of("agent.started", "agent.ready"), written);
    assertFalse(start.await(() -> 0), "tollgate-init starts nothing once the app ended first");
    assertEquals(0, ran.get());
    // another shutdown hook calls a tool: wanting the guard starts its set-up there and then
    start.run();
    assertTrue(done.await(5, TimeUnit.SECONDS));
    start.run();
    assertEquals(1, ran.get());
  }

  @Test
  void aCallFromAShutdownHookBeforeTheWeavingWasReadyStillGetsItsGuard() throws InterruptedException {
    GuardStart start = new GuardStart(60_000, 60_000);
    assertTrue(start.endedFirst(() -> { }));
    start.run(); // nothing to start yet: tollgate-init has not prepared the set-up thread
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    start.prepare(setUp(ran, done), () -> { });
    assertTrue(done.await(5, TimeUnit.SECONDS));
    assertEquals(1, ran.get());
  }

  /**
   * tollgate-init waiting, a governed call wanting the guard and the app's shutdown hook, in any order and at once:
   * the set-up is started exactly once when a call wanted it (by tollgate-init or by the call), never when none did
   * and the app ended first, and the first lines are written by the hook exactly when it claimed the start.
   */
  @Property(tries = 300)
  void oneSetUpWhateverTheInterleaving(@ForAll @IntRange(min = 0, max = 3) int callDelay,
      @ForAll @IntRange(min = 0, max = 3) int endDelay, @ForAll boolean aCall, @ForAll boolean anEnd)
      throws InterruptedException {
    GuardStart start = new GuardStart(aCall || anEnd ? 60_000 : 5, 60_000);
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    Thread setUpThread = setUp(ran, done);
    AtomicInteger firstLines = new AtomicInteger();
    AtomicReference<Boolean> ended = new AtomicReference<>(false);
    start.prepare(setUpThread, () -> { });
    Thread init = new Thread(() -> {
      try {
        if (start.await(() -> 0)) {
          setUpThread.start();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread call = new Thread(() -> {
      sleep(callDelay);
      start.run();
    });
    Thread end = new Thread(() -> {
      sleep(endDelay);
      ended.set(start.endedFirst(firstLines::incrementAndGet));
    });
    init.setDaemon(true);
    init.start();
    if (aCall) {
      call.start();
    }
    if (anEnd) {
      end.start();
    }
    if (aCall) {
      call.join();
    }
    if (anEnd) {
      end.join();
    }
    boolean expectSetUp = aCall || !ended.get();
    if (expectSetUp) {
      assertTrue(done.await(5, TimeUnit.SECONDS), "a wanted or uncontested set-up began");
    } else {
      assertFalse(done.await(50, TimeUnit.MILLISECONDS), "the app ended first and nothing wanted the guard");
    }
    init.join(expectSetUp ? 5_000 : 100);
    assertTrue(ran.get() <= 1);
    assertEquals(ended.get() ? 1 : 0, firstLines.get());
  }

  private static void sleep(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
