package dev.tollgate.agent.installer;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets the application start while ByteBuddy is still being loaded and configured on a background thread, without
 * letting a single instrumented class slip through untransformed. JDK-only, and the only transformer the agent
 * registers with the JVM.
 *
 * <ul>
 *   <li>Once the woven transformer is ready, every class load and retransformation is delegated to it.</li>
 *   <li>Before that, loading an <em>anchor</em> blocks until it is ready: the classes the instrumentations name
 *       (exactly, or by a prefix ending in {@code $}) and the supertypes they match subtypes of. So a tool
 *       dispatcher or an HTTP client can never be defined unwoven.</li>
 *   <li>A subtype of an anchor can reach this transformer before its supertype is loaded (the JVM resolves
 *       supertypes after the load hook). Every class that passed untransformed is therefore remembered (weakly,
 *       by loader and name) and, once ready, those whose hierarchy holds an anchor are retransformed.</li>
 * </ul>
 */
final class LoadGate implements ClassFileTransformer {
  /** How long a class load may wait for the agent; past it the class is defined unwoven and this is said loudly. */
  static final long MAX_WAIT_SECONDS = 60;

  private final Set<String> exact = new HashSet<>();
  private final List<String> prefixes = new ArrayList<>();
  private final CountDownLatch ready = new CountDownLatch(1);
  private volatile ClassFileTransformer delegate;
  private volatile Thread initThread;
  private final List<Passed> passed = new ArrayList<>();
  private boolean recording = true;
  /** When an application thread first waited at the gate ({@code System.nanoTime}); 0: none has. */
  private final java.util.concurrent.atomic.AtomicLong firstWaitNanos = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger waitingLoads = new java.util.concurrent.atomic.AtomicInteger();
  private volatile String firstWaiting;

  private record Passed(WeakReference<ClassLoader> loader, String name) {}

  /** {@code anchors}: binary class names; a name ending in {@code $} is a prefix. */
  LoadGate(List<String> anchors) {
    for (String a : anchors) {
      String internal = a.replace('.', '/');
      if (internal.endsWith("$")) {
        prefixes.add(internal);
      } else {
        exact.add(internal);
      }
    }
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

  boolean isAnchor(String internalName) {
    if (exact.contains(internalName)) {
      return true;
    }
    for (String p : prefixes) {
      if (internalName.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
    ClassFileTransformer d = delegate;
    if (d != null) {
      return d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }
    if (className == null || Thread.currentThread() == initThread) {
      return null;
    }
    if (isAnchor(className)) {
      if (firstWaitNanos.compareAndSet(0, System.nanoTime())) {
        firstWaiting = className.replace('/', '.');
      }
      waitingLoads.incrementAndGet();
      try {
        if (!ready.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS)) {
          System.err.println("[tollgate] WARNING " + className.replace('/', '.') + " was loaded before the agent was "
              + "ready (waited " + MAX_WAIT_SECONDS + " s): it is NOT governed");
          return null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      d = delegate;
      return d == null ? null
          : d.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    }
    if (loader != null && classBeingRedefined == null) {
      synchronized (passed) {
        if (recording) {
          passed.add(new Passed(new WeakReference<>(loader), className.replace('/', '.')));
        }
      }
    }
    return null;
  }

  /**
   * The woven transformer is ready (or null: building it failed, let everything pass). Releases waiting loads,
   * then retransforms the classes that passed before and belong to an anchor's hierarchy, and those loaded before
   * the gate existed (late attach).
   */
  void open(ClassFileTransformer woven, Instrumentation inst) {
    delegate = woven;
    ready.countDown();
    if (woven == null) {
      return;
    }
    List<Passed> earlier;
    synchronized (passed) {
      recording = false;
      earlier = new ArrayList<>(passed);
      passed.clear();
    }
    Set<Class<?>> candidates = new java.util.LinkedHashSet<>();
    for (Passed p : earlier) {
      ClassLoader loader = p.loader().get();
      if (loader == null) {
        continue;
      }
      try {
        // waits for a class still being defined by another thread (its supertype was an anchor that just opened)
        candidates.add(Class.forName(p.name(), false, loader));
      } catch (Throwable notLoadable) {
        // it failed to load, or its loader cannot find it by name: nothing to weave
      }
    }
    for (Class<?> c : inst.getAllLoadedClasses()) {
      candidates.add(c);
    }
    List<Class<?>> retransform = new ArrayList<>();
    for (Class<?> c : candidates) {
      if (inst.isModifiableClass(c) && inHierarchyOfAnchor(c, new HashSet<>())) {
        retransform.add(c);
      }
    }
    for (Class<?> c : retransform) {
      try {
        inst.retransformClasses(c);
      } catch (Throwable t) {
        System.err.println("[tollgate] WARNING could not weave " + c.getName() + ": " + t);
      }
    }
  }

  private boolean inHierarchyOfAnchor(Class<?> c, Set<Class<?>> seen) {
    if (c == null || !seen.add(c)) {
      return false;
    }
    if (isAnchor(c.getName().replace('.', '/'))) {
      return true;
    }
    if (inHierarchyOfAnchor(c.getSuperclass(), seen)) {
      return true;
    }
    for (Class<?> i : c.getInterfaces()) {
      if (inHierarchyOfAnchor(i, seen)) {
        return true;
      }
    }
    return false;
  }
}
