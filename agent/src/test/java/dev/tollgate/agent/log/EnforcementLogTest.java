package dev.tollgate.agent.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import dev.tollgate.policy.engine.Outcome;
import dev.tollgate.policy.event.AgentStopped;
import dev.tollgate.policy.event.Digest;
import dev.tollgate.policy.event.ToolCallEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The enforcement log's queue and writer thread: nothing lost, order per thread kept, durable writes on disk. */
class EnforcementLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  EnforcementLog log;

  @AfterEach
  void close() {
    if (log != null) {
      log.close();
    }
  }

  private List<JsonNode> lines() throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(log.path())) {
      nodes.add(JSON.readTree(line));
    }
    return nodes;
  }

  @Test
  void manyThreadsWritingMoreThanTheQueueHoldsLoseNothingAndKeepEachThreadsOrder() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    int threads = 8;
    int each = EnforcementLog.CAPACITY; // 8 x the queue: callers must wait for room, never drop
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> writers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread w = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < each; i++) {
            ToolCallEvent e = call(Outcome.ALLOW, String.valueOf(thread), i);
            if (i % 1000 == 999) {
              log.writeDurably(e);
            } else {
              log.write(e);
            }
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      });
      w.start();
      writers.add(w);
    }
    start.countDown();
    for (Thread w : writers) {
      w.join();
    }
    assertEquals(null, failure.get());
    log.flush();
    int[] next = new int[threads];
    List<JsonNode> lines = lines();
    assertEquals(threads * each, lines.size());
    for (JsonNode line : lines) {
      int thread = line.get("run").asInt();
      assertEquals(next[thread]++, line.get("session").asInt(), "thread " + thread + "'s events in the order written");
    }
  }

  @Test
  void aDurableWriteIsOnDiskWhenItReturnsWhileOthersWriteAsynchronously() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Thread noise = new Thread(() -> {
      for (int i = 0; i < 20_000; i++) {
        log.write(call(Outcome.ALLOW, "noise", i));
      }
    });
    noise.start();
    for (int i = 0; i < 200; i++) {
      log.writeDurably(call(Outcome.DENY, "deny", i));
      String written = Files.readString(log.path());
      assertTrue(written.contains("\"decision\":\"deny\",\"enforced\":true,\"tool\":\"t\",\"run\":\"deny\",\"session\":\"" + i + "\"}"),
          "deny " + i + " on disk");
    }
    noise.join();
  }

  @Test
  void anInterruptedCallerStillWritesItsEventAndKeepsItsInterrupt() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Thread.currentThread().interrupt();
    try {
      log.write(call(Outcome.ALLOW, "r", 1));
      log.writeDurably(call(Outcome.ALLOW, "r", 2));
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    log.flush();
    assertEquals(List.of(1, 2), lines().stream().map(n -> n.get("session").asInt()).toList());
  }

  @Test
  void afterShutdownDrainsEveryWriteIsOnDiskAtOnceAndCloseWritesWhatIsQueued() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    for (int i = 0; i < 1000; i++) {
      log.write(call(Outcome.ALLOW, "r", i));
    }
    log.drainAndWriteSynchronously();
    assertEquals(1000, Files.readAllLines(log.path()).size(), "what was queued is written");
    log.write(new AgentStopped(0));
    assertEquals("agent.stopped", lines().get(1000).get("event").asText(), "written on the caller's thread");

    EnforcementLog second = EnforcementLog.open(dir.resolve("second.jsonl"), Clock.systemUTC());
    for (int i = 0; i < 1000; i++) {
      second.write(call(Outcome.ALLOW, "r", i));
    }
    second.close();
    assertEquals(1000, Files.readAllLines(second.path()).size());
    second.write(call(Outcome.ALLOW, "r", 1000));
    second.writeDurably(call(Outcome.ALLOW, "r", 1001)); // returns: closed logs drop, never block
    assertEquals(1000, Files.readAllLines(second.path()).size());
  }

  /**
   * The writer takes an event from the queue before it takes the lock batches are written under: an event can be in
   * its hand, in neither the queue nor the file. Shutdown's drain and {@code close} must still write it, first. The
   * test holds that lock (the log's private {@code io}; it finds {@code writer} the same way, by reflection) to keep
   * the writer in that window.
   */
  @Test
  void anEventTheWriterHoldsWhenShutdownDrainsIsWrittenBeforeTheDrainReturnsAndInOrder() throws Exception {
    for (boolean close : new boolean[] {false, true}) {
      EnforcementLog pinned = EnforcementLog.open(dir.resolve("pinned-" + close + ".jsonl"), Clock.systemUTC());
      Object io = field(pinned, "io");
      Thread writer = (Thread) field(pinned, "writer");
      Thread drain = new Thread(close ? pinned::close : pinned::drainAndWriteSynchronously, "drain");
      synchronized (io) {
        pinned.write(call(Outcome.ALLOW, "r", 0));
        awaitState(writer, Thread.State.BLOCKED); // it holds event 0, waiting for io
        pinned.write(call(Outcome.ALLOW, "r", 1)); // queued behind it
        drain.start();
        awaitNotRunnable(drain);
      }
      drain.join(10_000);
      assertFalse(drain.isAlive());
      List<Integer> sessions = new ArrayList<>();
      for (String line : Files.readAllLines(pinned.path())) {
        sessions.add(JSON.readTree(line).get("session").asInt());
      }
      String what = close ? "close" : "shutdown drain";
      assertEquals(List.of(0, 1), sessions, what + ": both written when it returns, in order");
      pinned.close();
      writer.join(10_000);
    }
  }

  /**
   * A thread that saw the log still asynchronous, and is descheduled before it queues its event, must not leave that
   * event in a queue no writer reads once shutdown's drain has stopped the writer and returned: at exit it would never
   * be written. The test puts a queue in the log (its private {@code queue}, by reflection) whose {@code offer} waits
   * for the test, for that one thread: the moment between the check and the offer.
   */
  @Test
  void anEventQueuedWhileShutdownDrainsIsWrittenByTheTimeBothHaveReturned() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    CountDownLatch inOffer = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    java.lang.reflect.Field queue = EnforcementLog.class.getDeclaredField("queue");
    queue.setAccessible(true);
    queue.set(log, new java.util.concurrent.ArrayBlockingQueue<Object>(EnforcementLog.CAPACITY) {
      @Override
      public boolean offer(Object e) {
        if (Thread.currentThread().getName().equals("late")) {
          inOffer.countDown();
          try {
            goOn.await();
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
          }
        }
        return super.offer(e);
      }
    });
    Thread late = new Thread(() -> log.write(call(Outcome.ALLOW, "r", 7)), "late");
    late.start();
    assertTrue(inOffer.await(60, java.util.concurrent.TimeUnit.SECONDS));
    log.drainAndWriteSynchronously(); // the shutdown hook: the writer is stopped when it returns
    goOn.countDown();
    late.join(60_000);
    assertFalse(late.isAlive());
    String text = Files.exists(log.path()) ? Files.readString(log.path()) : "";
    assertTrue(text.contains("\"session\":\"7\""),
        "the event written while shutdown drained is not in the file, and nothing will write it: [" + text + "]");
  }

  private static Object field(EnforcementLog log, String name) throws ReflectiveOperationException {
    java.lang.reflect.Field f = EnforcementLog.class.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(log);
  }

  private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
    for (int i = 0; i < 10_000 && t.getState() != state; i++) {
      Thread.sleep(1);
    }
    assertEquals(state, t.getState(), t.getName());
  }

  private static void awaitNotRunnable(Thread t) throws InterruptedException {
    for (int i = 0; i < 10_000 && (t.getState() == Thread.State.RUNNABLE || t.getState() == Thread.State.NEW); i++) {
      Thread.sleep(1);
    }
    Thread.sleep(20); // let it settle where it waits
  }

  @Test
  void argumentsAppearOnlyAsTheirDigest() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    String arguments = "{\"path\":\"/home/alice/secret-plan.txt\"}";
    log.write(new ToolCallEvent(Outcome.ALLOW, false, null, null, "t", null, null, null, null, Digest.of(arguments)));
    log.flush();
    String written = Files.readString(log.path());
    assertFalse(written.contains("secret-plan"), written);
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(arguments.getBytes(StandardCharsets.UTF_8)));
    JsonNode line = lines().get(0);
    assertEquals(expected, line.get("args_sha256").asText());
    assertFalse(line.has("limit"));
    assertFalse(String.valueOf(Digest.of("plain words")).contains("plain words"), "even its toString is the digest");
  }

  @Test
  void anEventThatCannotWriteItselfIsDroppedAloneNotWithTheLinesAroundIt() throws Exception {
    log = EnforcementLog.open(dir.resolve("log.jsonl"), Clock.systemUTC());
    Object unprintable = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("a bug");
      }
    };
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      for (int batch = 0; batch < 2; batch++) { // queued together, then each written as it comes
        log.write(call(Outcome.ALLOW, "r", 1));
        log.write(new dev.tollgate.policy.event.CoverageEvent(List.of("x"), List.of(Map.of("bad", unprintable)),
            List.of(), List.of()));
        log.write(call(Outcome.ALLOW, "r", 2));
        log.flush();
      }
    } finally {
      System.setErr(stderr);
    }
    List<JsonNode> lines = lines();
    assertEquals(4, lines.size(), lines.toString());
    for (JsonNode line : lines) {
      assertEquals("tool.call", line.get("event").asText());
    }
    String said = captured.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("dropped a coverage line") && said.contains("IllegalStateException"), said);
    assertFalse(said.contains("a bug"), "the exception's message is not repeated: " + said);
  }

  /** A tool call line whose run and session say who wrote it and in which order. */
  @Test
  void theFileIsOpenedByTheFirstWriteNotByOpen() throws Exception {
    log = EnforcementLog.open(dir.resolve("sub/log.jsonl"), Clock.systemUTC());
    assertTrue(Files.isDirectory(dir.resolve("sub")), "the directory is made at open: its errors show there");
    assertFalse(Files.exists(log.path()), "premain's open does not open the file");
    log.write(call(Outcome.ALLOW, "r", 1));
    log.flush();
    assertEquals(1, lines().size());
  }

  @Test
  void aPathThatCannotHoldTheLogIsRefusedByOpenNotByTheFirstWrite() throws Exception {
    Path directory = Files.createDirectories(dir.resolve("a-directory"));
    IOException isDirectory = assertThrows(IOException.class, () -> EnforcementLog.open(directory, Clock.systemUTC()));
    assertTrue(isDirectory.getMessage().contains("is a directory"), isDirectory.getMessage());
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThrows(IOException.class, () -> EnforcementLog.open(file.resolve("log.jsonl"), Clock.systemUTC()));
    if (!"root".equals(System.getProperty("user.name"))) { // root may write anywhere
      Path readOnly = Files.createDirectories(dir.resolve("read-only"));
      Files.setPosixFilePermissions(readOnly, java.nio.file.attribute.PosixFilePermissions.fromString("r-x------"));
      assertThrows(java.nio.file.AccessDeniedException.class,
          () -> EnforcementLog.open(readOnly.resolve("log.jsonl"), Clock.systemUTC()));
    }
  }

  private static ToolCallEvent call(Outcome decision, String run, int n) {
    return new ToolCallEvent(decision, decision == Outcome.DENY, null, null, "t", null, run, String.valueOf(n), null,
        null);
  }
}
