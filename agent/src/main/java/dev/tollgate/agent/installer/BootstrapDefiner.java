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
  private static final String PLATFORM_JDKHTTP = "dev.tollgate.platform.jdkhttp.";
  private static volatile boolean platformDefined;

  private BootstrapDefiner() {}

  /** True once the platform helpers are defined and {@code java.net.http} reads them. */
  public static boolean platformHelpersDefined() {
    return platformDefined;
  }

  /** The launcher's entry, shaped as {@link AgentStartup.Entry#launch} is (and for the same reason). */
  public static final class Entry {
    private Entry() {}

    public static void launch(Object inst, Object agentJar) throws Exception {
      define((Instrumentation) inst, (File) agentJar);
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

  /**
   * Lets metered JDK {@code HttpClient} responses be delivered on the thread that read them, like unmetered ones:
   * the JDK hands the body of any subscriber that is not its own internal {@code TrustedSubscriber} to its executor,
   * a thread hand-off or two per response. Generates a subclass of the metering subscriber that implements that
   * interface (answering {@code needsExecutor()} as the app's own subscriber does), defines it beside the platform
   * helpers and exports {@code jdk.internal.net.http} to that loader only. The class file is written with the JDK
   * alone ({@link TrustedSubscriberClass}); this runs on {@code tollgate-init-guard}, off {@code premain}'s path.
   * False (metering works, with the hand-off) when this JDK has no such interface.
   */
  public static boolean trustMeteredJdkResponses(Instrumentation inst) {
    if (!platformDefined) {
      return false;
    }
    try {
      ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
      Class<?> trusted = Class.forName(dev.tollgate.platform.jdkhttp.JdkHttpGuard.TRUSTED_SUBSCRIBER, false,
          platformLoader);
      Module http = trusted.getModule();
      inst.redefineModule(http, Set.of(), Map.of("jdk.internal.net.http", Set.of(platformLoader.getUnnamedModule())),
          Map.of(), Set.of(), Map.of());
      String name = TrustedSubscriberClass.NAME.replace('/', '.');
      byte[] bytes = TrustedSubscriberClass.bytes(); // written with the JDK alone: no ByteBuddy on this path
      ClassDefiner.open(inst).defineAll(platformLoader, Map.of(name, bytes));
      Class<?> type = Class.forName(name, false, platformLoader);
      Class.forName(PLATFORM_JDKHTTP + "JdkHttpGuard", false, platformLoader)
          .getMethod("useTrustedSubscribers", Class.class).invoke(null, type);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
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
