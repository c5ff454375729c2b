package dev.tollgate.agent.installer;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Weaves a candidate class (one the {@link LoadGate} let through) from the {@link WeaveCache} when an earlier start
 * stored what ByteBuddy made of the same bytes under the same conditions, and with ByteBuddy otherwise, storing the
 * outcome. ByteBuddy is set up the first time a class needs it ({@link #byteBuddy}); a start whose candidates are
 * all in the cache never loads it. A retransformation (the gate's sweep of classes loaded before it: a JDK 24+ AOT
 * cache's) is answered the same way: the JVM hands over the class's bytes as they were before any transformation, and
 * the instrumentations never change a class's shape ({@code disableClassFormatChanges}), so what ByteBuddy made of
 * those bytes at a load is what it makes of them at a retransformation.
 *
 * <p>The outcome of a class depends on its bytes, on the names of its supertypes (the type matchers' {@code
 * hasSuperType}), on which instrumentations apply in its loader (their marker classes and version checks, evaluated
 * here exactly as ByteBuddy's class-loader matchers evaluate them: the same objects) and on the agent build and its
 * instrumentations (the cache's config): all of it is in the key. With
 * {@code -Dtollgate.weave.cross-check=true} (every test JVM) a cached outcome is compared with ByteBuddy's and a
 * difference is reported loudly and counted as a suppressed error, ByteBuddy's bytes winning.
 */
final class CachingWeaver implements ClassFileTransformer {
  /** What ByteBuddy did with the class being transformed on this thread (set by {@link #byteBuddy}'s listener). */
  static final class Outcome {
    final List<String> wovenBy = new ArrayList<>();
    boolean failed;
  }

  private static final ThreadLocal<Outcome> CURRENT = new ThreadLocal<>();

  private record Woven(InstrumentationModule module, TypeInstrumentation type) {}

  private final WeaveCache cache;
  private final TargetIndex index;
  private final List<AgentInstaller.Applies> applies;
  /**
   * Each (module, type instrumentation) by its name in cache entries ({@link #wovenBy}); a module's entries are listed
   * on the first hit that names it (see {@link #woven}).
   */
  private final Map<String, Woven> byName = new HashMap<>();
  private final List<InstrumentationModule> modules;
  private final Set<String> listed = new HashSet<>();
  private final CoverageReport coverage;
  private final Supplier<HelperInjector> helpers;
  private final Supplier<ClassFileTransformer> byteBuddy;
  private final boolean crossCheck = Boolean.getBoolean("tollgate.weave.cross-check");
  /** Per loader, per module: {@code 1} applies, {@code 0} does not, 0 not yet asked ({@link #conditions}). */
  private final Map<ClassLoader, char[]> conditions = new WeakHashMap<>();
  /** Each module's anchors, in the order of {@link #modules} and {@link #applies}. */
  private final List<AnchorNames> anchors = new ArrayList<>();
  /** How many supertypes the key's walk follows ({@link #supertypes}). */
  private static final int MAX_SUPERTYPES = 256;
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicInteger stored = new AtomicInteger();

  CachingWeaver(WeaveCache cache, TargetIndex index, List<InstrumentationModule> modules,
      List<AgentInstaller.Applies> applies, CoverageReport coverage, Supplier<HelperInjector> helpers, Supplier<ClassFileTransformer> byteBuddy) {
    this.cache = cache;
    this.index = index;
    this.applies = applies;
    this.coverage = coverage;
    this.helpers = helpers;
    this.byteBuddy = byteBuddy;
    this.modules = List.copyOf(modules);
    if (applies.size() != this.modules.size()) { // one per module, in order (AgentInstaller.applies)
      throw new IllegalArgumentException(applies.size() + " applicability checks for " + this.modules.size()
          + " modules");
    }
    for (InstrumentationModule m : this.modules) {
      anchors.add(new AnchorNames(m.anchors()));
    }
  }

  /**
   * The (module, type instrumentation) a cache entry names. Each module's type instrumentations are made the first
   * time an entry names that module, not for every module at start: a warm start of an app touches two or three of
   * them, and making all of them loaded ~60 classes (~40 ms) while the guard was being set up.
   */
  private synchronized Woven woven(String by) {
    int bar = by.indexOf('|');
    String module = bar < 0 ? by : by.substring(0, bar);
    if (listed.add(module)) {
      for (InstrumentationModule m : modules) {
        if (m.name().equals(module)) {
          for (TypeInstrumentation t : m.typeInstrumentations()) {
            byName.putIfAbsent(wovenBy(m, t), new Woven(m, t));
          }
        }
      }
    }
    return byName.get(by);
  }

  /** How a (module, type instrumentation) pair is named in a cache entry. */
  static String wovenBy(InstrumentationModule module, TypeInstrumentation type) {
    return module.name() + "|" + type.chokePoint();
  }

  /** Called by ByteBuddy's listener: {@code module}'s {@code type} wove the class this thread is transforming. */
  static void woven(InstrumentationModule module, TypeInstrumentation type) {
    Outcome o = CURRENT.get();
    if (o != null && !o.wovenBy.contains(wovenBy(module, type))) {
      o.wovenBy.add(wovenBy(module, type));
    }
  }

  /** Called by ByteBuddy's listener: the class this thread is transforming could not be woven. */
  static void failed() {
    Outcome o = CURRENT.get();
    if (o != null) {
      o.failed = true;
    }
  }

  int hits() {
    return hits.get();
  }

  int stored() {
    return stored.get();
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
    if (cache == null || className == null) {
      ClassFileTransformer b = byteBuddy(className);
      return b == null ? null : b.transform(module, loader, className, classBeingRedefined, protectionDomain,
          classfileBuffer);
    }
    java.util.TreeSet<String> supertypes = supertypes(loader, classfileBuffer);
    String context = conditions(loader, className, supertypes) + "\n"
        + (supertypes == null ? "?" : String.join(",", supertypes));
    String key = cache.key(context, className, classfileBuffer);
    WeaveCache.Entry cached = cache.find(key, context, className, classfileBuffer);
    if (cached != null && !crossCheck) {
      hits.incrementAndGet();
      return apply(cached, loader, className);
    }
    Outcome outcome = new Outcome();
    byte[] woven;
    CURRENT.set(outcome);
    try {
      ClassFileTransformer b = byteBuddy(className);
      if (b == null) {
        return null; // a class ByteBuddy's own set-up loads on this thread: let through, as tollgate-init's are
      }
      woven = b.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
    } finally {
      CURRENT.remove();
    }
    if (outcome.failed) {
      return woven; // not stored: a helper that could not be defined may be definable next time
    }
    WeaveCache.Entry made = new WeaveCache.Entry(woven, List.copyOf(outcome.wovenBy));
    if (cached != null) {
      hits.incrementAndGet();
      if (!Arrays.equals(cached.woven(), made.woven()) || !cached.wovenBy().equals(made.wovenBy())) {
        String problem = "the weave cache's outcome for " + className.replace('/', '.') + " differs from ByteBuddy's ("
            + cached.wovenBy() + " vs " + made.wovenBy() + "); ByteBuddy's is used";
        System.err.println("[tollgate] ERROR " + problem);
        Guard.suppressed(new IllegalStateException(problem));
      }
      return woven;
    }
    cache.store(key, context, className, classfileBuffer, made);
    stored.incrementAndGet();
    return woven;
  }

  /**
   * ByteBuddy's transformer, set up now if this is the first class that needs it; null when it cannot be set up (said
   * on stderr for every class left unwoven so: none of them is governed) or when this thread is setting it up.
   */
  private ClassFileTransformer byteBuddy(String className) {
    try {
      return byteBuddy.get();
    } catch (RuntimeException | LinkageError e) {
      System.err.println("[tollgate] WARNING could not set up the instrumentation (" + e + "): "
          + (className == null ? "a class" : className.replace('/', '.')) + " is NOT governed");
      return null;
    }
  }

  /** A cached outcome: the helper classes its instrumentations need, the coverage report, then the bytes. */
  private byte[] apply(WeaveCache.Entry entry, ClassLoader loader, String className) {
    try {
      for (String by : entry.wovenBy()) {
        Woven w = woven(by);
        if (w != null && !w.type().helperClasses().isEmpty()) {
          helpers.get().inject(loader, w.type().helperClasses());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // as ByteBuddy does when its helper transformer throws: reported, the class left as it was
      System.err.println("[tollgate] WARNING could not weave " + className.replace('/', '.') + ": " + e);
      return null;
    }
    for (String by : entry.wovenBy()) {
      Woven w = woven(by);
      if (w != null) {
        coverage.woven(w.module(), w.type(), className.replace('/', '.'), loader);
      }
    }
    return entry.woven();
  }

  /**
   * Every supertype of the class, transitively, by name, sorted: the instrumentations' type matchers read the class's
   * own bytes and the names of its supertypes ({@code hasSuperType}), so a class whose bytes are unchanged but whose
   * superclass now implements another interface gets a new key (and is woven by ByteBuddy again). Read from class
   * files through the loader, as the {@link TargetIndex} and ByteBuddy's type pool read them; one that cannot be read
   * is named with a {@code ?}, and so is the walk's end when it stops at {@link #MAX_SUPERTYPES}. The index's class
   * files are shared: the gate read most of them already. Null if the class's own bytes are no class file.
   */
  private java.util.TreeSet<String> supertypes(ClassLoader loader, byte[] classfile) {
    java.util.TreeSet<String> all = new java.util.TreeSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
    String[] direct = TargetIndex.ClassFileHeader.supertypes(classfile);
    if (direct == null) {
      return null;
    }
    for (String s : direct) {
      if (s != null) {
        todo.add(s);
      }
    }
    while (!todo.isEmpty()) {
      if (all.size() >= MAX_SUPERTYPES) {
        all.add("?"); // not followed further: which modules could match is then not known from these names
        break;
      }
      String name = todo.poll();
      if (name.equals("java/lang/Object") || !all.add(name)) {
        continue;
      }
      String[] supers = index.supertypesOf(loader, name);
      if (supers == null) {
        all.remove(name);
        all.add("?" + name);
        continue;
      }
      for (String s : supers) {
        if (s != null) {
          todo.add(s);
        }
      }
    }
    return all;
  }

  /**
   * Which modules apply in {@code loader}, one character per module, in order, for the class {@code className} whose
   * supertypes are {@code supertypes}: {@code 1} or {@code 0} for a module whose anchors the class is or is below, and
   * {@code -} for any other, whose type matchers cannot match the class (every name they use is one of its anchors:
   * {@code InstrumentationModulesTest}), so whether it applies changes nothing of what ByteBuddy makes of the class.
   * A module's applicability in a loader (its marker classes looked up, its version read: a resource lookup each,
   * most of them misses that search the whole class path) is worked out the first time a class needs it, not for
   * every module at the loader's first candidate. When the supertypes are not all known, every module is asked.
   */
  private String conditions(ClassLoader loader, String className, java.util.TreeSet<String> supertypes) {
    boolean everyModule = supertypes == null;
    if (!everyModule) {
      for (String s : supertypes) {
        if (s.startsWith("?")) {
          everyModule = true;
          break;
        }
      }
    }
    char[] known;
    if (loader == null) {
      known = new char[applies.size()];
    } else {
      synchronized (conditions) {
        known = conditions.get(loader);
        if (known == null) {
          known = new char[applies.size()];
          conditions.put(loader, known);
        }
      }
    }
    StringBuilder s = new StringBuilder(applies.size());
    for (int i = 0; i < applies.size(); i++) {
      if (!everyModule && !anchors.get(i).reachedBy(className, supertypes)) {
        s.append('-');
        continue;
      }
      char c;
      synchronized (known) {
        c = known[i];
      }
      if (c == 0) {
        c = applies.get(i).matches(loader) ? '1' : '0';
        synchronized (known) {
          known[i] = c;
        }
      }
      s.append(c);
    }
    return s.toString();
  }
}
