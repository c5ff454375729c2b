package dev.tollgate.agent.installer;

import dev.tollgate.bootstrap.Guard;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The only transformer the agent registers with the JVM, JDK-only: it decides, with a {@link TargetIndex}, which
 * classes an instrumentation could weave at all, and hands only those to ByteBuddy's transformer, which is loaded and
 * set up on a background thread while the application starts. Every other class (nearly all an app loads) costs a
 * prefix test or a hash lookup and never reaches ByteBuddy.
 *
 * <ul>
 *   <li>Once the woven transformer is ready, every candidate's load and retransformation is delegated to it.</li>
 *   <li>Before that, loading a candidate blocks until it is ready: the classes the instrumentations name and their
 *       subtypes (found through their class files' supertypes). So a tool dispatcher or an HTTP client can never be
 *       defined unwoven.</li>
 *   <li>When it opens, loaded classes in an anchor's hierarchy (by their loaded supertypes) that were not woven yet
 *       are retransformed: those loaded before the gate existed (a JDK 24+ AOT cache's, for which premain waits),
 *       and any the index could not see through (a supertype without a readable class file that is loaded now).
 *       (Late attach does not come here: it installs ByteBuddy's own retransforming transformer.)</li>
 * </ul>
 */
final class LoadGate implements ClassFileTransformer {
  /**
   * How long a class load may wait for the agent; past it the class is defined unwoven and this is said loudly. The
   * same bound as a governed call's wait for the guard ({@link Guard#MAX_WAIT_SECONDS}): one budget for how long the
   * app may be held while the agent gets ready.
   */
  static final long MAX_WAIT_SECONDS = Guard.MAX_WAIT_SECONDS;

  /**
   * Classes defined in this JVM since the gate was put in front of them (a release store per class, no fence): the
   * metrics export waits for it to stand still, the sign that the app's start-up is over. Lost updates between
   * threads do not matter: only "it changed" is read.
   */
  private static final java.util.concurrent.atomic.AtomicInteger DEFINED =
      new java.util.concurrent.atomic.AtomicInteger();

  private final TargetIndex index;
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile ClassFileTransformer delegate;
  private volatile Thread initThread;
  /** When an application thread first waited at the gate ({@code System.nanoTime}); 0: none has. */
  private final java.util.concurrent.atomic.AtomicLong firstWaitNanos = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger waitingLoads = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger candidates = new java.util.concurrent.atomic.AtomicInteger();
  private volatile String firstWaiting;
  /** Classes woven as they were defined, until {@link #open} has swept: the sweep need not weave them again. */
  private final java.util.Map<ClassLoader, Set<String>> wovenOnLoad = new java.util.WeakHashMap<>();
  private final Set<String> wovenOnLoadByBoot = new HashSet<>();
  private volatile boolean swept;
  /** Counted down when {@link #open} has swept (or found nothing to weave with): see {@link #awaitSwept}. */
  private final CountDownLatch sweepDone = new CountDownLatch(1);

  /** {@code anchors}: binary class names; a name ending in {@code $} is a prefix. */
  LoadGate(List<String> anchors) {
    this(new TargetIndex(anchors));
  }

  LoadGate(TargetIndex index) {
    this.index = index;
  }

  void initThread(Thread thread) {
    this.initThread = thread;
  }

  /** Nanoseconds from the first class load that had to wait until {@code openedAt}; 0 if none waited. */
  long appBlockedNanos(long openedAt) {
    long first = firstWaitNanos.get();
    return first == 0 ? 0 : Math.max(0, openedAt - first);
  }

  /** Class loads that waited for the agent, and the first of them (null if none). */
  int waitingLoads() {
    return waitingLoads.get();
  }

  String firstWaiting() {
    return firstWaiting;
  }

  /** Classes handed to ByteBuddy so far (or held for it). */
  int candidates() {
    return candidates.get();
  }

  boolean isAnchor(String internalName) {
    return index.isAnchor(internalName);
  }

  /** How many classes have been defined since a gate first stood in front of the JVM's class loading. */
  static int classesDefined() {
    return DEFINED.get();
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
    if (classBeingRedefined == null) {
      DEFINED.lazySet(DEFINED.get() + 1);
    }
    if (className == null || (classBeingRedefined == null && Thread.currentThread() == initThread)) {
      return null; // the agent's own set-up's class loads; the sweep's retransformations (on that thread) go on
    }
    boolean candidate;
    try {
      candidate = index.isCandidate(loader, className, classfileBuffer, classBeingRedefined);
    } catch (Throwable t) {
      candidate = true; // let ByteBuddy's own matchers decide rather than miss a class
    }
    if (!candidate) {
      return null;
    }
    candidates.incrementAndGet();
    ClassFileTransformer d = delegate;
    if (d != null) {
      return remember(loader, className, classBeingRedefined,
          d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer));
    }
    if (firstWaitNanos.compareAndSet(0, System.nanoTime())) {
      firstWaiting = className.replace('/', '.');
    }
    waitingLoads.incrementAndGet();
    // an interrupt does not cut the wait short (the class would be defined unwoven, and the sweep that weaves what
    // slipped by may have run before it is defined); it is kept for the loading thread
    if (!Guard.awaitThroughInterrupts(ready)) {
      System.err.println("[tollgate] WARNING " + className.replace('/', '.') + " was loaded before the agent was "
          + "ready (waited " + MAX_WAIT_SECONDS + " s): it is NOT governed");
      return null;
    }
    d = delegate;
    return d == null ? null : remember(loader, className, classBeingRedefined,
        d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer));
  }

  private byte[] remember(ClassLoader loader, String className, Class<?> redefined, byte[] woven) {
    if (!swept && redefined == null) {
      synchronized (wovenOnLoad) {
        Set<String> names = loader == null ? wovenOnLoadByBoot : wovenOnLoad.get(loader);
        if (names == null) { // (no lambda: this runs on the app's thread, where a lambda's first use spins a class)
          names = new HashSet<>();
          wovenOnLoad.put(loader, names);
        }
        names.add(className);
      }
    }
    return woven;
  }

  private boolean wovenOnLoad(Class<?> c) {
    String name = c.getName().replace('.', '/');
    ClassLoader loader = c.getClassLoader();
    synchronized (wovenOnLoad) {
      Set<String> names = loader == null ? wovenOnLoadByBoot : wovenOnLoad.get(loader);
      return names != null && names.contains(name);
    }
  }

  /**
   * The woven transformer is ready (or null: building it failed, let everything pass). Releases waiting loads,
   * then retransforms the loaded classes of an anchor's hierarchy not woven as they loaded (those defined before the
   * gate: a JDK 24+ AOT cache's).
   */
  void open(ClassFileTransformer woven, Instrumentation inst) {
    try {
      delegate = woven;
      ready.countDown();
      if (woven == null) {
        return;
      }
      List<Class<?>> retransform = new ArrayList<>();
      for (Class<?> c : inst.getAllLoadedClasses()) {
        if (inAnchorsHierarchy(c, inst) && !wovenOnLoad(c)) {
          retransform.add(c);
        }
      }
      swept = true;
      synchronized (wovenOnLoad) {
        wovenOnLoad.clear();
        wovenOnLoadByBoot.clear();
      }
      for (Class<?> c : retransform) {
        try {
          inst.retransformClasses(c);
        } catch (Throwable t) {
          System.err.println("[tollgate] WARNING could not weave " + c.getName() + ": " + t);
        }
      }
    } finally {
      sweepDone.countDown();
    }
  }

  /**
   * A loaded class the instrumentations may weave: an anchor or below one, by its loaded supertypes. The boot
   * loader's classes (most of those loaded when premain runs) are passed over without asking their names: no anchor
   * is one of them (InstrumentationModulesTest keeps it so), an app's classes are never defined there, and a boot
   * class can only extend boot classes.
   */
  private boolean inAnchorsHierarchy(Class<?> c, Instrumentation inst) {
    if (c.getClassLoader() == null) {
      return false;
    }
    String name = c.getName().replace('.', '/');
    return (index.isAnchor(name) || !index.isSkipped(name)) && inst.isModifiableClass(c)
        && index.inHierarchyOfAnchor(c, new HashSet<>());
  }

  /**
   * Classes the instrumentations may weave that are loaded already, before this gate stood in front of any class:
   * those a JDK 24+ AOT cache ({@code -XX:AOTCache}) loads into the class loaders before any agent runs, which no
   * transformer sees as they are defined. Only the sweep at {@link #open} weaves them, so premain must wait for it
   * ({@link #awaitSwept}) or their code could run before it. Names, for the message that says so.
   */
  List<String> loadedBeforeTheGate(Instrumentation inst) {
    List<String> names = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (inAnchorsHierarchy(c, inst)) {
        names.add(c.getName());
      }
    }
    return names;
  }

  /** Waits (at most {@link #MAX_WAIT_SECONDS}) until {@link #open} has swept: true if it did in time. */
  boolean awaitSwept() {
    return Guard.awaitThroughInterrupts(sweepDone);
  }
}
