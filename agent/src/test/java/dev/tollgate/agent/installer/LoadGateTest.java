package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.Test;

class LoadGateTest {
  private static final byte[] ORIGINAL = {1, 2, 3};
  private static final byte[] WOVEN = {4, 5, 6};

  /**
   * A class load held at the gate is not cut short by an interrupt: released unwoven, the class would be defined
   * as the app had it (and a sweep that ran before it was defined would never weave it). It waits for the weaving,
   * and the interrupt is kept for the loading thread.
   */
  @Test
  void anInterruptedLoadStillWaitsForTheWeavingAndKeepsItsInterrupt() throws Exception {
    Instrumentation inst = ByteBuddyAgent.install();
    LoadGate gate = new LoadGate(List.of("a.b.Anchored"));
    CompletableFuture<byte[]> loaded = new CompletableFuture<>();
    CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
    Thread loader = new Thread(() -> {
      try {
        loaded.complete(gate.transform(null, LoadGateTest.class.getClassLoader(), "a/b/Anchored", null, null,
            ORIGINAL));
      } catch (Throwable t) {
        loaded.completeExceptionally(t);
      }
      interruptKept.complete(Thread.currentThread().isInterrupted());
    }, "app-class-load");
    loader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (gate.waitingLoads() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(1, gate.waitingLoads(), "the anchor's load is held at the gate");
    loader.interrupt();
    Thread.sleep(200);
    assertTrue(!loaded.isDone(), "an interrupt does not release the load before the weaving is ready");

    gate.open(weavesEverything(), inst);

    assertArrayEquals(WOVEN, loaded.get(10, TimeUnit.SECONDS), "the load is woven once the gate opens");
    assertTrue(interruptKept.get(10, TimeUnit.SECONDS), "the interrupt is kept for the loading thread");
  }

  /** Every class defined counts towards the metrics export's "start-up is over"; a retransformation does not. */
  @Test
  void everyDefinitionIsCountedAndNoRedefinition() throws Exception {
    LoadGate gate = new LoadGate(List.of("a.b.Anchored"));
    int before = LoadGate.classesDefined();
    gate.transform(null, null, "java/util/Skipped", null, null, ORIGINAL);
    gate.transform(null, null, null, null, null, ORIGINAL); // a hidden class has no name: still a definition
    assertEquals(before + 2, LoadGate.classesDefined());
    gate.transform(null, null, "java/util/Skipped", String.class, null, ORIGINAL);
    assertEquals(before + 2, LoadGate.classesDefined(), "a retransformation is not a class load");
  }
  /**
   * The agent's own set-up thread: a class it loads passes by unwoven (ByteBuddy's and the agent's classes), but the
   * sweep's retransformations it makes at {@link LoadGate#open} reach the weaver, or a class loaded before the gate
   * (a JDK 24+ AOT cache's) would stay unwoven; and premain's wait for the sweep returns once it is done.
   */
  @Test
  void onTheSetUpThreadLoadsPassButTheSweepsRetransformationsAreWoven() throws Exception {
    Instrumentation inst = ByteBuddyAgent.install();
    LoadGate gate = new LoadGate(List.of("a.b.Anchored"));
    CompletableFuture<byte[][]> seen = new CompletableFuture<>();
    Thread init = new Thread(() -> {
      try {
        gate.open(weavesEverything(), inst);
        byte[] load = gate.transform(null, LoadGateTest.class.getClassLoader(), "a/b/Anchored", null, null, ORIGINAL);
        byte[] retransform = gate.transform(null, LoadGateTest.class.getClassLoader(), "a/b/Anchored",
            LoadGateTest.class, null, ORIGINAL);
        seen.complete(new byte[][] {load, retransform});
      } catch (Throwable t) {
        seen.completeExceptionally(t);
      }
    }, "tollgate-init");
    gate.initThread(init);
    init.start();
    assertTrue(gate.awaitSwept(), "premain's wait ends when the sweep is done");
    byte[][] results = seen.get(10, TimeUnit.SECONDS);
    assertEquals(null, results[0], "a class the set-up thread loads passes by");
    assertArrayEquals(WOVEN, results[1], "the sweep's retransformation on that thread is woven");
  }

  /** A woven transformer that answers every class it is handed with {@link #WOVEN}. */
  private static ClassFileTransformer weavesEverything() {
    return new ClassFileTransformer() {
      @Override
      public byte[] transform(Module module, ClassLoader l, String name, Class<?> redefined, ProtectionDomain pd,
          byte[] bytes) {
        return WOVEN;
      }
    };
  }
}
