package dev.tollgate.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * A streaming run whose last callback has not released it when the JVM stops is ended at shutdown, once, even when
 * the callback releases it at the same moment.
 */
class RunsAtShutdownTest {
  @Test
  void aRunStillBoundToItsCallbackIsEndedOnceAtShutdown() {
    List<RunState> summaries = Collections.synchronizedList(new ArrayList<>());
    Runs runs = summarising(summaries);
    Object handler = new Object();
    RunState streaming = streaming(runs, handler);
    RunState finished = runs.begin("langchain4j");
    runs.end(finished);

    runs.endBound();
    runs.endBound();

    assertEquals(List.of(finished, streaming), summaries);
    // the callback that finally releases it ends nothing again
    Runs.Resumption r = runs.resume(handler);
    runs.release(r, true, null);
    assertEquals(2, summaries.size());
  }

  @RepeatedTest(50)
  void shutdownRacingTheLastCallbackSummarisesTheRunOnce() throws Exception {
    List<RunState> summaries = Collections.synchronizedList(new ArrayList<>());
    Runs runs = summarising(summaries);
    Object handler = new Object();
    RunState streaming = streaming(runs, handler);
    CountDownLatch go = new CountDownLatch(1);
    Thread callback = new Thread(() -> {
      await(go);
      Runs.Resumption r = runs.resume(handler);
      if (r != null) {
        runs.release(r, true, null);
      }
    });
    callback.start();
    go.countDown();
    runs.endBound();
    callback.join();
    assertEquals(List.of(streaming), summaries);
  }

  /** Runs whose ends add the run to {@code summaries} when its summary is due (as PolicyGuard writes run.summary). */
  private static Runs summarising(List<RunState> summaries) {
    return new Runs(run -> {
      if (run.ended()) {
        summaries.add(run);
      }
    });
  }

  /** A streaming run bound to its callback {@code handler}, the app's thread returned (the stream goes on). */
  private static RunState streaming(Runs runs, Object handler) {
    RunState streaming = runs.begin("langchain4j");
    runs.bind(handler);
    runs.detach(streaming);
    return streaming;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
