package dev.tollgate.agent.installer;

import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The cheap first check of every instrumentation: are the library's marker classes visible from this class
 * loader at all? Answered by a resource lookup (no class loading) and remembered per loader, weakly.
 */
final class ClassLoaderHasClasses {
  private final List<String> resources;
  private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

  ClassLoaderHasClasses(List<String> classNames) {
    // a loop, not a stream with a lambda: this runs on the way to the gate opening, where a lambda's first use spins
    // its class (~5 ms measured)
    List<String> r = new java.util.ArrayList<>(classNames.size());
    for (String n : classNames) {
      r.add(n.replace('.', '/') + ".class");
    }
    this.resources = List.copyOf(r);
  }

  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return false; // the libraries and apps we govern never live on the boot class path
    }
    if (resources.isEmpty()) {
      return true; // app classes named by the policy: any application class loader
    }
    synchronized (cache) {
      Boolean known = cache.get(loader);
      if (known != null) {
        return known;
      }
    }
    boolean present = true;
    for (String r : resources) {
      if (loader.getResource(r) == null) {
        present = false;
        break;
      }
    }
    synchronized (cache) {
      cache.put(loader, present);
    }
    return present;
  }
}
