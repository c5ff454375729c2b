package dev.tollgate.bench;

import dev.tollgate.bootstrap.Guard;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;

/**
 * Measurements that need a whole JVM of their own, run by run.sh twice (with and without
 * {@code -javaagent:tollgate-agent.jar}); each prints {@code key=value} lines for the report.
 * <pre>
 * ProcessProbe ttfb CALLS    streaming time to first byte: median over CALLS calls after as many warm-up calls
 * ProcessProbe heap CALLS    heap retained after CALLS tool calls and CALLS LLM calls, measured after GC
 * ProcessProbe stream BYTES  one streamed answer of BYTES bytes; the most heap in use while it passes
 * </pre>
 */
public final class ProcessProbe {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private ProcessProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ProcessProbe (ttfb CALLS | heap CALLS | stream BYTES)");
      System.exit(2);
    }
    long n = Long.parseLong(args[1]);
    switch (args[0]) {
      case "ttfb" -> ttfb((int) n);
      case "heap" -> heap((int) n);
      case "stream" -> stream(n);
      default -> {
        System.err.println("unknown probe " + args[0]);
        System.exit(2);
      }
    }
    // at the end: since the agent sets its guard up on a background thread, it may not be there when main starts
    System.out.println("governed=" + Guard.installed());
    if (Guard.suppressedCount() != 0) {
      System.err.println("the guard suppressed " + Guard.suppressedCount() + " errors");
      System.exit(1);
    }
    System.exit(0);
  }

  private static void ttfb(int calls) throws Exception {
    byte[] buffer = new byte[8192];
    try (LlmClient client = new LlmClient(-1)) {
      for (int i = 0; i < calls; i++) {
        client.streamFirstByteAndDrain(buffer);
      }
      long[] firstByte = new long[calls];
      for (int i = 0; i < calls; i++) {
        firstByte[i] = client.streamFirstByteAndDrain(buffer)[0];
      }
      Arrays.sort(firstByte);
      System.out.printf("ttfb_median_us=%.2f%n", firstByte[calls / 2] / 1e3);
      System.out.printf("ttfb_p90_us=%.2f%n", firstByte[calls * 9 / 10] / 1e3);
    }
  }

  private static void heap(int calls) throws Exception {
    try (LlmClient client = new LlmClient(-1)) {
      int warmup = Math.min(calls, 2000);
      governedCalls(client, warmup);
      long before = usedAfterGc();
      governedCalls(client, calls);
      long after = usedAfterGc();
      System.out.println("heap_before_kb=" + before / 1024);
      System.out.println("heap_after_kb=" + after / 1024);
      System.out.println("heap_added_kb=" + (after - before) / 1024);
    }
  }

  /** {@code calls} tool calls (as woven advice makes them) and {@code calls} LLM calls. */
  private static void governedCalls(LlmClient client, int calls) throws Exception {
    int sum = 0;
    for (int i = 0; i < calls; i++) {
      sum += WovenCall.guarded("{\"key\":\"k" + (i % 100) + "\"}");
      sum += client.call().length;
    }
    if (sum == 42) {
      System.out.println(); // keeps the results alive
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static void stream(long bytes) throws Exception {
    try (LlmClient warm = new LlmClient(-1)) { // classes loaded and compiled a little, on a short answer
      for (int i = 0; i < 20; i++) {
        warm.call();
        warm.streamFirstByteAndDrain(new byte[8192]);
      }
    }
    try (LlmClient client = new LlmClient(bytes)) {
      long base = usedAfterGc();
      long[] max = {0};
      Thread sampler = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          max[0] = Math.max(max[0], MEMORY.getHeapMemoryUsage().getUsed());
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      sampler.setDaemon(true);
      sampler.start();
      long start = System.nanoTime();
      long[] result = client.streamFirstByteAndDrain(new byte[64 * 1024]);
      long millis = (System.nanoTime() - start) / 1_000_000;
      sampler.interrupt();
      sampler.join();
      System.out.println("stream_wire_bytes=" + result[1]);
      System.out.println("stream_ms=" + millis);
      System.out.println("heap_base_kb=" + base / 1024);
      System.out.println("heap_max_used_kb=" + max[0] / 1024);
      System.out.println("heap_max_xmx_kb=" + Runtime.getRuntime().maxMemory() / 1024);
    }
  }
}
