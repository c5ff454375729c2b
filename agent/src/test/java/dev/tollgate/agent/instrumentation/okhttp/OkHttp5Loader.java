package dev.tollgate.agent.instrumentation.okhttp;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A class loader like an app's own with OkHttp 5 (okhttp-jvm, okio-jvm and kotlin-stdlib copied to
 * {@code target/okhttp5} by the build) and {@link OkHttpAppImpl}: those load child-first, everything else (JDK,
 * Tollgate's bootstrap, {@link OkHttpApp}) from the test class path. Tollgate's helper classes are invisible
 * here, as the agent's own classes are to a real app, so the agent has to define them into this loader.
 */
final class OkHttp5Loader extends URLClassLoader {
  private static final String HELPERS = "dev.tollgate.agent.instrumentation.okhttp.";

  static {
    registerAsParallelCapable();
  }

  private OkHttp5Loader(URL[] urls, ClassLoader parent) {
    super("okhttp5-app", urls, parent);
  }

  static OkHttpApp app() throws Exception {
    Path dir = Path.of(System.getProperty("okhttp5.dir", "target/okhttp5"));
    List<URL> urls = new ArrayList<>();
    try (var jars = Files.list(dir)) {
      for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
        urls.add(jar.toUri().toURL());
      }
    }
    if (urls.size() < 3) {
      throw new IllegalStateException("OkHttp 5 jars missing from " + dir + " (mvn generate-test-resources)");
    }
    urls.add(classesOf(OkHttpAppImpl.class));
    OkHttp5Loader loader = new OkHttp5Loader(urls.toArray(URL[]::new), OkHttp5Loader.class.getClassLoader());
    return (OkHttpApp) loader.loadClass(OkHttpAppImpl.class.getName()).getConstructor().newInstance();
  }

  private static URL classesOf(Class<?> type) throws MalformedURLException {
    return new File(type.getProtectionDomain().getCodeSource().getLocation().getPath()).toURI().toURL();
  }

  private static boolean childFirst(String name) {
    return name.startsWith("okhttp3.") || name.startsWith("okio.") || name.startsWith("kotlin.")
        || name.startsWith(OkHttpAppImpl.class.getName());
  }

  private static boolean helper(String name) {
    return name.startsWith(HELPERS) && !name.startsWith(HELPERS + "OkHttpApp");
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name); // the helpers, once the agent defined them
      if (c == null && helper(name)) {
        throw new ClassNotFoundException(name);
      }
      if (c == null && childFirst(name)) {
        c = findClass(name);
      }
      if (c == null) {
        return super.loadClass(name, resolve);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  public URL getResource(String name) {
    if (helper(name.replace('/', '.'))) {
      return null;
    }
    return super.getResource(name);
  }
}
