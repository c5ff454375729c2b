package dev.tollgate.agent.installer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the {@code dev.tollgate.bootstrap} classes directly in the bootstrap class loader.
 *
 * <p>Why not {@code Instrumentation.appendToBootstrapClassLoaderSearch}: on a JVM with class-data sharing (the
 * default) appending to the boot class path prints "Sharing is only supported for boot loader classes because
 * bootstrap classpath has been appended" on the host's stderr and turns sharing off for the app's own classes,
 * which slows its start-up. Defining the few classes instead keeps the host's JVM as it was.
 *
 * <p>How: {@link ClassDefiner} ({@code JavaLangAccess.defineClass}) with a null loader. The launcher falls back to
 * appending the jar if this fails on some JVM.
 */
public final class BootstrapDefiner {
  private static final String PACKAGE_PATH = "dev/tollgate/bootstrap/";
  /**
   * Helpers that implement JDK interfaces outside {@code java.base} ({@code java.net.http}): the boot loader
   * cannot see those, so these are defined in the platform class loader, which can.
   */
  private static final String PLATFORM_PATH = "dev/tollgate/platform/";
  private static volatile boolean platformDefined;

  private BootstrapDefiner() {}

  /** True once the platform helpers are defined and {@code java.net.http} reads them. */
  public static boolean platformHelpersDefined() {
    return platformDefined;
  }

  /**
   * Defines the classes, or, on a JVM without the internal entry point {@link ClassDefiner} uses, appends the jar to
   * the boot class path (which works everywhere; HotSpot then warns about class-data sharing on stderr).
   */
  static void defineOrAppend(Instrumentation inst, File agentJar) throws IOException {
    try {
      define(inst, agentJar);
    } catch (Exception | LinkageError e) {
      if (Boolean.getBoolean("tollgate.debug")) {
        System.err.println("[tollgate] DEBUG defining bootstrap classes failed, appending the jar instead: " + e);
      }
      inst.appendToBootstrapClassLoaderSearch(new JarFile(agentJar));
    }
  }

  /**
   * premain's definition of the classes, on {@code tollgate-modules} while premain's thread reads the configuration
   * and the policy ({@link PremainPolicy}, which refers to no bootstrap class); then, on the same thread, {@code then}
   * (the listing of the instrumentation modules, which do refer to them). Premain's thread {@link #await}s the
   * definition before it touches any class that refers to a bootstrap class.
   */
  static final class InBackground implements Runnable {
    /**
     * A test's hook: how long the definition waits before it begins, so a test can show that premain's thread does
     * not need the classes before {@link #await}. Unset (0) outside tests.
     */
    static final String TEST_DELAY_PROPERTY = "tollgate.test.define-delay-ms";
    private final Instrumentation inst;
    private final File agentJar;
    private final Runnable then;
    private final java.util.concurrent.CountDownLatch defined = new java.util.concurrent.CountDownLatch(1);
    private volatile Throwable failure;

    InBackground(Instrumentation inst, File agentJar, Runnable then) {
      this.inst = inst;
      this.agentJar = agentJar;
      this.then = then;
    }

    @Override
    public void run() {
      try {
        long delay = Long.getLong(TEST_DELAY_PROPERTY, 0);
        if (delay > 0) {
          Thread.sleep(delay);
        }
        defineOrAppend(inst, agentJar);
      } catch (Throwable t) {
        failure = t;
      } finally {
        defined.countDown();
      }
      if (failure == null) {
        then.run();
      }
    }

    /**
     * Waits until the classes are defined (through interrupts, whose flag it keeps); throws if they could not be. The
     * loop of {@code Guard.awaitThroughInterrupts}, written again: {@code Guard} is one of the classes awaited.
     */
    void await() {
      boolean interrupted = false;
      while (true) {
        try {
          defined.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Throwable t = failure;
      if (t != null) {
        throw new IllegalStateException("cannot define the bootstrap classes: " + t, t);
      }
    }
  }

  static void define(Instrumentation inst, File agentJar) throws Exception {
    Map<String, byte[]> platform = new LinkedHashMap<>();
    Map<String, byte[]> classes = readClasses(agentJar, platform);
    if (classes.isEmpty()) {
      throw new IllegalStateException("no " + PACKAGE_PATH + " classes in " + agentJar);
    }
    ClassDefiner definer = ClassDefiner.open(inst);
    definer.defineAll(null, classes);
    Module http = ModuleLayer.boot().findModule("java.net.http").orElse(null);
    if (!platform.isEmpty() && http != null) {
      ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
      definer.defineAll(platformLoader, platform);
      Module bootUnnamed = Class.forName("dev.tollgate.bootstrap.Guard", false, null).getModule();
      // advice inlined into java.net.http calls the platform helpers, and its exception handler calls Guard
      inst.redefineModule(http, Set.of(platformLoader.getUnnamedModule(), bootUnnamed), Map.of(), Map.of(),
          Set.of(), Map.of());
      platformDefined = true;
    }
  }

  /** Lists the classes to define, one class file per line; written into the jar when it is packaged. */
  static final String CLASS_LIST = "dev/tollgate/agent/launch/boot-classes.list";

  /**
   * The bootstrap class files (returned) and the platform helpers' (into {@code platform}), by the list the build
   * wrote: one read of the jar for both, by name.
   */
  private static Map<String, byte[]> readClasses(File agentJar, Map<String, byte[]> platform) throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    try (JarFile jar = new JarFile(agentJar, false)) {
      JarEntry list = jar.getJarEntry(CLASS_LIST);
      if (list == null) {
        throw new IOException("no " + CLASS_LIST + " in " + agentJar);
      }
      String names;
      try (InputStream in = jar.getInputStream(list)) {
        names = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
      for (String name : names.split("\n")) {
        Map<String, byte[]> into = name.startsWith(PACKAGE_PATH) ? classes
            : name.startsWith(PLATFORM_PATH) ? platform : null;
        if (into == null || !name.endsWith(".class")) {
          continue;
        }
        JarEntry e = jar.getJarEntry(name);
        if (e == null) {
          throw new IOException(CLASS_LIST + " names " + name + ", which is not in " + agentJar);
        }
        try (InputStream in = jar.getInputStream(e)) {
          into.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'), in.readAllBytes());
        }
      }
    }
    return classes;
  }
}
