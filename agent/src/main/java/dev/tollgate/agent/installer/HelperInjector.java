package dev.tollgate.agent.installer;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defines an instrumentation's helper classes ({@link dev.tollgate.agent.spi.TypeInstrumentation#helperClasses})
 * in the class loader that is loading the instrumented type, once per loader, before its advice is woven. The
 * bytes come from the agent's own loader as resources ({@code X.class}, which the agent jar stores in
 * {@code inst.pack}); the agent never loads these classes itself, since they link against the host's copy
 * of the library.
 *
 * <p>When a loader already sees a helper as a class-path resource (the agent's classes on the test class path, never
 * the packaged agent's) it loads that copy itself, so nothing is defined. A failure to define is thrown: ByteBuddy reports it to the listener
 * (a warning) and leaves the type as it was; the {@link CachingWeaver} does the same for a cached class.
 */
final class HelperInjector {
  private final ClassDefiner definer;
  private final ClassLoader agentLoader;
  private final Map<String, byte[]> bytes = new ConcurrentHashMap<>();
  /** Per host loader, the helpers defined in it (or found visible there). */
  private final Map<ClassLoader, Set<String>> injected = new WeakHashMap<>();
  /**
   * The agent's classes come from its jar's {@code inst.pack}, which no host loader reads as class resources: no host
   * loader can see a helper, and none is asked (each ask walks the loader's whole delegation chain and class path:
   * ~4 ms per Spring Boot start, for nothing).
   */
  private final boolean packaged;
  /** The packaged agent's loader (by name: it is the launcher's, package-private there). */
  static final String PACKAGED_LOADER = "dev.tollgate.agent.launch.InstClassLoader";

  private HelperInjector(ClassDefiner definer, ClassLoader agentLoader) {
    this.definer = definer;
    this.agentLoader = agentLoader;
    this.packaged = agentLoader != null && agentLoader.getClass().getName().equals(PACKAGED_LOADER);
  }

  static HelperInjector open(Instrumentation inst, ClassLoader agentLoader) throws ReflectiveOperationException {
    return new HelperInjector(ClassDefiner.open(inst), agentLoader);
  }

  void inject(ClassLoader loader, List<String> helpers) {
    if (loader == null) {
      throw new IllegalStateException("helper classes " + helpers + " cannot go to the boot loader");
    }
    synchronized (injected) {
      // (no lambdas here: this runs on the app's thread at its first woven class, where a lambda's first use spins
      // a class, ~1 ms per start measured on Spring Boot)
      Set<String> done = injected.get(loader);
      if (done == null) {
        done = new HashSet<>();
        injected.put(loader, done);
      }
      Map<String, byte[]> pending = new LinkedHashMap<>();
      for (String name : helpers) {
        if (!done.contains(name) && (packaged || loader.getResource(resource(name)) == null)) {
          pending.put(name, bytes(name));
        }
      }
      try {
        definer.defineAll(loader, pending);
      } catch (RuntimeException | LinkageError e) {
        throw new IllegalStateException("cannot define helper classes " + pending.keySet() + " in " + loader, e);
      }
      done.addAll(helpers);
    }
  }

  private byte[] bytes(String name) {
    byte[] read = bytes.get(name);
    if (read != null) {
      return read;
    }
    try (InputStream in = agentLoader.getResourceAsStream(resource(name))) {
      if (in == null) {
        throw new IllegalStateException("helper class " + name + " is missing from the agent");
      }
      read = in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read helper class " + name, e);
    }
    byte[] first = bytes.putIfAbsent(name, read);
    return first != null ? first : read;
  }

  private static String resource(String name) {
    return name.replace('.', '/') + ".class";
  }
}
