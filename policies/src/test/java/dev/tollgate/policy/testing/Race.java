package dev.tollgate.policy.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** Threads that start together and each try something a number of times: how many tries succeeded. */
public final class Race {
  private Race() {}

  public static int count(int threads, int triesPerThread, BooleanSupplier attempt) throws InterruptedException {
    AtomicInteger succeeded = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int k = 0; k < triesPerThread; k++) {
          if (attempt.getAsBoolean()) {
            succeeded.incrementAndGet();
          }
        }
      });
      workers[t].start();
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    return succeeded.get();
  }
}
