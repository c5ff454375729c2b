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
    Runs runs = new Runs(run -> {
      if (run.ended()) {
        summaries.add(run);
      }
    });
    RunState streaming = runs.begin("langchain4j");
    Object handler = new Object();
    runs.bind(handler);
    runs.detach(streaming); // the app's thread returned; the stream goes on on a callback thread
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
    Runs runs = new Runs(run -> {
      if (run.ended()) {
        summaries.add(run);
      }
    });
    RunState streaming = runs.begin("langchain4j");
    Object handler = new Object();
    runs.bind(handler);
    runs.detach(streaming);
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

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
