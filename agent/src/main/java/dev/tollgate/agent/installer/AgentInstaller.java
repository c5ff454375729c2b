package dev.tollgate.agent.installer;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.Guard;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Weaves every instrumentation module into the JVM: with {@code premain}, behind the JDK-only {@link LoadGate}, through
 * the {@link CachingWeaver} (an earlier start's outcomes from the {@link WeaveCache}, else ByteBuddy); on late attach,
 * with ByteBuddy directly. This class uses no ByteBuddy type, so loading it loads none: {@link ByteBuddyWeaving} holds
 * all of that.
 */
public final class AgentInstaller {
  private static final Logger LOG = Diagnostics.logger(AgentInstaller.class);

  /** ByteBuddy's warm-up is started once per JVM ({@link #warmUpInBackground}). */
  private static final java.util.concurrent.atomic.AtomicBoolean WARM_UP_STARTED =
      new java.util.concurrent.atomic.AtomicBoolean();

  private AgentInstaller() {}

  public static net.bytebuddy.agent.builder.ResettableClassFileTransformer install(Instrumentation inst,
      List<InstrumentationModule> modules, CoverageReport coverage) {
    return ByteBuddyWeaving.install(inst, modules, coverage, applies(modules, coverage), helpers(inst));
  }

  /**
   * Returns at once: the {@link LoadGate} (built from {@code anchors}) holds back every class the instrumentations
   * name, and on the background thread {@code tollgate-init} the {@code planning} is done (the modules, their
   * coverage, the guard's installation, the weave cache), the woven transformer built, the gate opened (weaving
   * anything that slipped by before). For {@code premain}: the JVM's own start and the app's first class loads
   * overlap the agent's set-up instead of waiting for it. The guard's installation runs on {@code
   * tollgate-init-guard}: beside ByteBuddy's set-up with a cold weave cache; with a warm one at the first governed
   * call or once the app's start-up is over ({@link GuardStart}). Until it is installed every governed call waits for
   * it in {@link Guard}'s entry points ({@link Guard#expect}): no tool or LLM call goes undecided.
   */
  public static void installInBackground(Instrumentation inst, List<String> anchors, Callable<Plan> planning) {
    TargetIndex index = new TargetIndex(anchors);
    LoadGate gate = new LoadGate(index);
    Thread init = new Thread(new Runnable() {
      @Override
      public void run() {
        setUp(inst, anchors, index, gate, planning);
      }
    }, "tollgate-init");
    init.setDaemon(true);
    gate.initThread(init);
    inst.addTransformer(gate, true);
    // after the gate is in place: a class loaded from now on meets it, one loaded before is in this list. Only a JDK
    // 24+ AOT cache loads such classes before the agents (JEP 483); before 24 only the JVM's own boot classes are
    // loaded by now (class-data sharing loads the rest lazily, through the transformers), so the list is not made
    // there
    List<String> early = Runtime.version().feature() >= 24 ? gate.loadedBeforeTheGate(inst) : List.of();
    init.start();
    if (!early.isEmpty()) {
      // a JDK 24+ AOT cache loaded them before any agent ran: no transformer saw them defined, so the app's main
      // must not run before tollgate-init's sweep has woven them (their first call would go by ungoverned)
      LOG.info("{} classes the instrumentations weave were loaded before the agent started (the JVM's AOT cache): "
          + "main waits until they are woven: {}", early.size(), early);
      if (!gate.awaitSwept()) {
        LOG.warn("{} are not woven after {} s: calls through them are NOT governed until they are", early,
            LoadGate.MAX_WAIT_SECONDS);
      }
    }
  }

  /**
   * What {@code tollgate-init} works out before it weaves, beside the app's start rather than on {@code premain}'s
   * thread: the instrumentation modules (listed and instantiated), their coverage report, the guard's installation
   * (run on {@code tollgate-init-guard}), what to run if that installation will never start (the set-up failed
   * before it) and the weave cache (null: none).
   */
  public record Plan(List<InstrumentationModule> modules, CoverageReport coverage, Runnable guard,
      Runnable guardNeverStarted, WeaveCache cache, GuardStart start) {}

  private static void setUp(Instrumentation inst, List<String> anchors, TargetIndex index, LoadGate gate,
      Callable<Plan> planning) {
    long start = System.nanoTime();
    long weaveReady = start;
    long retransformNanos = 0;
    long gateBlockedNanos = 0;
    Plan plan = null;
    Throwable[] guardFailed = {null};
    long[] guardDone = {0};
    long[] guardBegan = {0};
    String cacheState = "off";
    long guardWaitNanos = 0;
    boolean guardStarted = false;
    boolean endedFirst = false;
    try {
      plan = planning.call();
      List<InstrumentationModule> modules = plan.modules();
      CoverageReport coverage = plan.coverage();
      WeaveCache cache = plan.cache();
      List<Applies> applies = applies(modules, coverage);
      Supplier<HelperInjector> helpers = helpers(inst);
      // (anonymous classes, not lambdas, on the start's path: each lambda's first use spins a class)
      OnFirstUse<ClassFileTransformer> byteBuddy = new OnFirstUse<>(new Supplier<>() {
        @Override
        public ClassFileTransformer get() {
          return ByteBuddyWeaving.transformer(inst, modules, coverage, applies, helpers);
        }
      });
      // With a warm cache (an earlier start stored every candidate's outcome) ByteBuddy is not set up here at all:
      // the first class the cache cannot answer sets it up on the thread loading it.
      boolean eager = cache == null || !cache.warm();
      cacheState = cache == null ? "off" : eager ? "cold" : "warm";
      if (eager) {
        warmUpInBackground(); // if premain has not started it yet
      }
      // The guard (log's first lines, ledger, engine, budgets, metrics) and the weaving's set-up need nothing of each
      // other. The gate opens when the weaving is ready; a tool or LLM call made before the guard is ready waits for
      // it in Guard's entry points (a class load need not wait for the guard, only a governed call does). With a cold
      // cache the weaving is ByteBuddy's long set-up, and the guard's runs beside it. With a warm cache (weaving ready
      // in a few ms) nothing of the app's start needs the guard: its set-up waits for the first governed call or the
      // end of the app's start-up (GuardStart), instead of competing with that start for the same cores.
      Runnable first = plan.guard();
      GuardStart guardStart = plan.start();
      Thread guard = new Thread("tollgate-init-guard") {
        @Override
        public void run() {
          guardBegan[0] = System.nanoTime();
          try {
            first.run();
          } catch (Throwable t) {
            guardFailed[0] = t;
            Guard.abandon();
          } finally {
            guardDone[0] = System.nanoTime();
          }
        }
      };
      guard.setDaemon(true);
      Guard.expect(guard, eager ? null : guardStart);
      if (eager) {
        guardStart.beginNow();
        guard.start();
        guardStarted = true;
      }
      ClassFileTransformer woven = null;
      try {
        if (eager) {
          byteBuddy.get();
        }
        woven = new CachingWeaver(cache, index, modules, applies, coverage, helpers, byteBuddy);
      } catch (Throwable t) {
        LOG.warn("could not set up the instrumentation; nothing is woven: {}", t.toString(), t);
      } finally {
        weaveReady = System.nanoTime();
        gate.open(woven, inst);
        retransformNanos = System.nanoTime() - weaveReady;
        gateBlockedNanos = gate.appBlockedNanos(weaveReady);
      }
      // checked once the gate is open (the app may be waiting on it): a warning, nothing the weaving needs
      List<String> missing = AnchorList.missing(anchors, plan.modules());
      if (!missing.isEmpty()) {
        LOG.warn("this agent jar's anchor list ({}) lacks {}: classes of these loaded before now are not woven; "
            + "use the agent jar the build assembles", AnchorList.RESOURCE, missing);
      }
      if (!eager) {
        long weaveMs = millis(weaveReady - start);
        long retransformMs = millis(retransformNanos);
        long blockedMs = millis(gateBlockedNanos);
        Plan p = plan;
        String state = cacheState;
        guardStart.prepare(guard, new Runnable() {
          @Override
          public void run() { // the app ended first: no guard was set up, none was needed
            p.coverage().ready(0, weaveMs, retransformMs, blockedMs, gate.waitingLoads(), gate.firstWaiting(), 0,
                state, GuardStart.NEVER, 0);
          }
        });
        if (!guardStart.await(new java.util.function.IntSupplier() { // (not a lambda: none on the start's path)
          @Override
          public int getAsInt() {
            return LoadGate.classesDefined();
          }
        })) {
          endedFirst = true;
          return; // the app is ending: its shutdown hook wrote the first lines and agent.ready
        }
        guardWaitNanos = System.nanoTime() - weaveReady;
        guard.start();
        guardStarted = true;
      }
      guard.join();
      if (guardFailed[0] != null) {
        // installed first, then the watcher and the metrics: a failure after the installation leaves calls governed
        LOG.warn(Guard.installed() ? "the agent's set-up failed after its guard was installed (calls are governed; "
            + "policy reloads or metrics may be missing): {}" : "could not set up the guard; nothing is governed: {}",
            guardFailed[0].toString(), guardFailed[0]);
      }
    } catch (Throwable t) {
      Guard.abandon();
      if (plan != null && !guardStarted) {
        plan.guardNeverStarted().run();
      }
      LOG.warn("could not set up the agent; nothing is governed: {}", t.toString(), t);
      if (weaveReady == start) {
        gate.open(null, inst); // the app's class loads are never held for a set-up that failed
      }
    } finally {
      if (plan != null && !endedFirst) {
        long guardReady = guardDone[0] == 0 ? System.nanoTime() : guardDone[0];
        long began = guardBegan[0] == 0 ? guardReady : guardBegan[0];
        long firstCallWait = Guard.firstWaitNanos();
        long callsBlockedNanos = firstCallWait == 0 ? 0 : Math.max(0, guardReady - firstCallWait);
        plan.coverage().ready(millis(guardReady - began), millis(weaveReady - start), millis(retransformNanos),
            millis(gateBlockedNanos + callsBlockedNanos), gate.waitingLoads(), gate.firstWaiting(),
            Guard.waitedCalls(), cacheState, plan.start().reason(), millis(guardWaitNanos));
      }
    }
  }

  /** Whether a module applies in a class loader: its marker classes are there, and its version checks pass. */
  record Applies(ClassLoaderHasClasses markers, ModuleCompatibility compatibility) {
    boolean matches(ClassLoader loader) {
      return markers.matches(loader) && (compatibility == null || compatibility.matches(loader));
    }
  }

  /** One {@link Applies} per module, in order: the same objects answer ByteBuddy and the {@link CachingWeaver}. */
  static List<Applies> applies(List<InstrumentationModule> modules, CoverageReport coverage) {
    List<Applies> applies = new java.util.ArrayList<>();
    for (InstrumentationModule module : modules) {
      applies.add(new Applies(new ClassLoaderHasClasses(module.markerClasses()),
          ModuleCompatibility.needed(module) ? new ModuleCompatibility(module, coverage) : null));
    }
    return applies;
  }

  private static Supplier<HelperInjector> helpers(Instrumentation inst) {
    return new OnFirstUse<>(new Supplier<>() {
      @Override
      public HelperInjector get() {
        try {
          return HelperInjector.open(inst, AgentInstaller.class.getClassLoader());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    });
  }

  /**
   * A value made the first time it is asked for, on the asking thread; a failure is thrown to every caller. A class
   * load the making itself causes on the same thread, that reaches the {@link CachingWeaver}, is let through unwoven
   * (as {@code tollgate-init}'s own loads always were): {@link #get} returns null then.
   */
  static final class OnFirstUse<T> implements Supplier<T> {
    private final Supplier<T> make;
    private volatile T value;
    private RuntimeException failure;
    private Thread making;

    OnFirstUse(Supplier<T> make) {
      this.make = make;
    }

    @Override
    public T get() {
      T v = value;
      if (v != null) {
        return v;
      }
      synchronized (this) {
        if (value != null) {
          return value;
        }
        if (failure != null) {
          throw failure;
        }
        if (making == Thread.currentThread()) {
          return null;
        }
        making = Thread.currentThread();
        try {
          value = make.get();
          return value;
        } catch (RuntimeException e) {
          failure = e;
          throw e;
        } finally {
          making = null;
        }
      }
    }
  }

  /**
   * Starts loading ByteBuddy on a daemon thread (once; later calls do nothing) while {@code premain} opens the log and
   * the ledger on the main thread: the class initialisation of ByteBuddy's transformer (which generates its module-aware subclass with
   * ByteBuddy itself, loading a few hundred of its classes) is the longest step between {@code premain} and the gate
   * opening, and it needs nothing from the policy. Whatever it has not finished when {@code tollgate-init} needs it,
   * that thread waits for (class initialisation is once per JVM, under the JVM's own lock); a failure here is left
   * for {@code tollgate-init} to meet and report.
   */
  static void warmUpInBackground() {
    if (!WARM_UP_STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread warm = new Thread(() -> {
      try {
        Class.forName("net.bytebuddy.agent.builder.AgentBuilder$Default$ExecutingTransformer", true,
            AgentInstaller.class.getClassLoader());
      } catch (Throwable t) {
        // tollgate-init meets the same problem where it is reported
      }
    }, "tollgate-warm-up");
    warm.setDaemon(true);
    warm.start();
  }

  private static long millis(long nanos) {
    return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
