package dev.tollgate.agent.installer;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.Enumeration;
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

  public static void define(Instrumentation inst, File agentJar) throws Exception {
    Map<String, byte[]> classes = readClasses(agentJar, PACKAGE_PATH);
    if (classes.isEmpty()) {
      throw new IllegalStateException("no " + PACKAGE_PATH + " classes in " + agentJar);
    }
    ClassDefiner definer = ClassDefiner.open(inst);
    definer.defineAll(null, classes);
    Map<String, byte[]> platform = readClasses(agentJar, PLATFORM_PATH);
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
   * alone ({@link TrustedSubscriberClass}); this runs on {@code tollgate-init}, off {@code premain}'s path. False (metering works, with the hand-off) when this
   * JDK has no such interface.
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
      String name = PLATFORM_JDKHTTP + "TrustedMeteredSubscriber";
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
   * The class files under {@code packagePath}, by the list the build wrote (a walk over every entry of the jar, which
   * holds the agent's 5 700 libraries' classes too, costs more than all of these reads); by that walk when there is
   * no list (a jar built some other way).
   */
  private static Map<String, byte[]> readClasses(File agentJar, String packagePath) throws IOException {
    Map<String, byte[]> classes = new LinkedHashMap<>();
    try (JarFile jar = new JarFile(agentJar, false)) {
      JarEntry list = jar.getJarEntry(CLASS_LIST);
      java.util.List<String> names = new java.util.ArrayList<>();
      if (list != null) {
        try (InputStream in = jar.getInputStream(list)) {
          for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(packagePath) && line.endsWith(".class")) {
              names.add(line);
            }
          }
        }
      } else {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String name = entries.nextElement().getName();
          if (name.startsWith(packagePath) && name.endsWith(".class")) {
            names.add(name);
          }
        }
      }
      for (String name : names) {
        JarEntry e = jar.getJarEntry(name);
        if (e == null) {
          throw new IOException(CLASS_LIST + " names " + name + ", which is not in " + agentJar);
        }
        try (InputStream in = jar.getInputStream(e)) {
          classes.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'), in.readAllBytes());
        }
      }
    }
    return classes;
  }
}
