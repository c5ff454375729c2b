package dev.tollgate.agent.guard;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Reads the application's SLF4J MDC (its own {@code org.slf4j.MDC}, found through the thread's context class
 * loader, else the system loader) for the few keys the policy partitions on ({@code per: mdc:<key>}). Our own
 * SLF4J is isolated and has no MDC of the app's. Nothing is read when the policy names no MDC key.
 */
final class HostMdc {
  private static final Method ABSENT;

  static {
    try {
      ABSENT = Object.class.getMethod("toString");
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final List<String> keys;
  private final Map<ClassLoader, Method> getters = new WeakHashMap<>();

  HostMdc(List<String> keys) {
    this.keys = List.copyOf(keys);
  }

  Map<String, String> read() {
    if (keys.isEmpty()) {
      return Map.of();
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = ClassLoader.getSystemClassLoader();
    }
    Method get = getter(loader);
    if (get == ABSENT) {
      return Map.of();
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : keys) {
      try {
        Object v = get.invoke(null, key);
        if (v != null) {
          values.put(key, v.toString());
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // an MDC that cannot be read partitions nothing: the call falls in the shared "" partition
      }
    }
    return values;
  }

  private Method getter(ClassLoader loader) {
    synchronized (getters) {
      Method m = getters.get(loader);
      if (m == null) {
        try {
          m = Class.forName("org.slf4j.MDC", false, loader).getMethod("get", String.class);
        } catch (ReflectiveOperationException | LinkageError e) {
          m = ABSENT;
        }
        getters.put(loader, m);
      }
      return m;
    }
  }
}
