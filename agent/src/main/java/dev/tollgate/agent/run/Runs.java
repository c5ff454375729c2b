package dev.tollgate.agent.run;

import java.util.Collections;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * Tracks the run each thread belongs to. A run starts at a framework's entry point (an AI-service method call);
 * entry points reached inside a run join it. Asynchronous runs (streaming) are bound to the framework's callback
 * objects and made current again on whatever thread a callback runs, so they follow the framework across
 * threads. Carriers are held weakly and compared with {@code equals}, so a value identifying the call (such as
 * LangChain4j's invocation id) finds the run from any copy of the object that carries it. An abandoned stream
 * leaves nothing reachable behind it here.
 */
public final class Runs {
  /** This process's random half of every run id (UUID version 4 bits set). */
  private static final long PROCESS_BITS = (new java.security.SecureRandom().nextLong() & ~0xF000L) | 0x4000L;
  private static final java.util.concurrent.atomic.AtomicLong RUNS = new java.util.concurrent.atomic.AtomicLong();

  private final ThreadLocal<RunState> current = new ThreadLocal<>();
  private final Map<Object, RunState> carriers = Collections.synchronizedMap(new WeakHashMap<>());
  private final Consumer<RunState> onEnd;
  /** Runs known only by a framework's own run identity (ADK's invocation id); never ended explicitly. */
  private final Map<Object, RunState> implicit = new java.util.LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, RunState> eldest) {
      if (size() > MAX_IMPLICIT_RUNS) {
        onEnd.accept(eldest.getValue());
        return true;
      }
      return false;
    }
  };
  /** Implicit runs kept at once; the least recently used one is ended (its counters freed) beyond this. */
  static final int MAX_IMPLICIT_RUNS = 10_000;

  /** @param onEnd called once when a run ends (frees its counters) */
  public Runs(Consumer<RunState> onEnd) {
    this.onEnd = onEnd;
  }

  /** The current thread's run, or null outside any run. */
  public RunState current() {
    return current.get();
  }

  /** Starts a run on this thread, or returns null when one is already in progress (nested entries join it). */
  public RunState begin(String framework) {
    return begin(framework, null);
  }

  /**
   * A run id in UUID form: one random half drawn once per process, and a counter, so ids are unique within the
   * process and, with overwhelming probability, across processes whose logs are merged; without a
   * {@code SecureRandom} draw (and its lock) per run. Ids are labels for the log, never capabilities.
   */
  static String newRunId() {
    long counter = RUNS.incrementAndGet() & 0x3FFF_FFFF_FFFF_FFFFL;
    return new UUID(PROCESS_BITS, counter | 0x8000_0000_0000_0000L).toString();
  }

  /** As {@link #begin(String)}, for a run whose entry point names its conversation. */
  public RunState begin(String framework, String session) {
    if (current.get() != null) {
      return null;
    }
    RunState run = new RunState(newRunId(), framework, session);
    current.set(run);
    return run;
  }

  /** Ends the run {@code begin} returned. */
  public void end(RunState run) {
    detach(run);
    onEnd.accept(run);
  }

  /** Takes the run off this thread without ending it. */
  public void detach(RunState run) {
    if (current.get() == run) {
      current.remove();
    }
  }

  /** Binds the current run, if any, to a callback carrier. */
  public void bind(Object carrier) {
    RunState run = current.get();
    if (run != null) {
      bind(carrier, run);
    }
  }

  /** The run bound to {@code carrier}, or null. */
  public RunState bound(Object carrier) {
    return carriers.get(carrier);
  }

  /**
   * The run a framework identifies by {@code runIdentity} (a value with {@code equals}): the run bound to it if
   * any, else an implicit run created on first use. Implicit runs end when evicted (least recently used, beyond
   * {@link #MAX_IMPLICIT_RUNS}), so their counters cannot grow without bound.
   */
  public RunState identifiedBy(Object runIdentity, String framework) {
    RunState run = carriers.get(runIdentity);
    if (run != null) {
      return run;
    }
    synchronized (implicit) {
      return implicit.computeIfAbsent(runIdentity, k -> new RunState(newRunId(), framework));
    }
  }

  /** Binds {@code run} to a callback carrier. */
  public void bind(Object carrier, RunState run) {
    carriers.put(carrier, run);
    run.handedOff();
  }

  /** Binds the current run, if any, to a carrier without counting it as handed on (a lend, see Guard.runLend). */
  public void lend(Object carrier) {
    RunState run = current.get();
    if (run != null) {
      carriers.put(carrier, run);
    }
  }

  /**
   * Makes the run {@link #identifiedBy} {@code runIdentity} current, naming its session if it has none, unless a
   * run is current already. Undone by {@link #release} with {@code mayEnd} false.
   */
  public Resumption join(Object runIdentity, String framework, String session) {
    if (current.get() != null) {
      return null;
    }
    RunState run = identifiedBy(runIdentity, framework);
    if (session != null) {
      run.nameSession(session);
    }
    current.set(run);
    return new Resumption(run, runIdentity, run.handOffs());
  }

  /** Makes the run bound to {@code carrier} current, unless a run is current already. */
  public Resumption resume(Object carrier) {
    if (current.get() != null) {
      return null;
    }
    RunState run = carriers.get(carrier);
    if (run == null) {
      return null;
    }
    current.set(run);
    return new Resumption(run, carrier, run.handOffs());
  }

  /** Undoes {@link #resume}; ends the run when asked and the callback handed it to no new carrier. */
  public void release(Resumption r, boolean mayEnd, Throwable thrown) {
    detach(r.run());
    if (mayEnd && (thrown != null || r.run().handOffs() == r.handOffsAtResume())) {
      carriers.remove(r.carrier());
      onEnd.accept(r.run());
    }
  }

  /**
   * Ends every run still bound to a carrier: when the JVM stops, a streaming run whose last callback has not yet
   * released it (the app printed the answer and returned from {@code main} meanwhile) still gets its end, and its
   * summary. A run ended already is not ended again ({@link RunState#ended} counts once).
   */
  public void endBound() {
    java.util.Set<RunState> bound = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    synchronized (carriers) {
      bound.addAll(carriers.values());
    }
    bound.forEach(onEnd);
  }

  /** A run made current on a callback thread. */
  public record Resumption(RunState run, Object carrier, int handOffsAtResume) {}
}
