package dev.tollgate.agent.installer;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Defines classes from bytes in any class loader, the boot loader included, with the JDK's own
 * {@code JavaLangAccess.defineClass}: no reflection into {@code ClassLoader}, no {@code Unsafe}, no jar appended to
 * anyone's class path. {@code jdk.internal.access} is opened through {@link Instrumentation#redefineModule} to this
 * class's module only (the agent's isolated loader), never to the application.
 */
final class ClassDefiner {
  private final Object access;
  private final Method define;

  private ClassDefiner(Object access, Method define) {
    this.access = access;
    this.define = define;
  }

  static ClassDefiner open(Instrumentation inst) throws ReflectiveOperationException {
    Module self = ClassDefiner.class.getModule();
    inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
        Map.of("jdk.internal.access", Set.of(self)), Set.of(), Map.of());
    Object access = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess").invoke(null);
    Method define = Class.forName("jdk.internal.access.JavaLangAccess").getMethod("defineClass",
        ClassLoader.class, String.class, byte[].class, ProtectionDomain.class, String.class);
    return new ClassDefiner(access, define);
  }

  /** Defines {@code classes} (binary name to bytes) in {@code loader} (null: the boot loader), in any order. */
  void defineAll(ClassLoader loader, Map<String, byte[]> classes) throws ReflectiveOperationException {
    // a class can only be defined once its superclass is: retry the rest until no progress is made
    Map<String, byte[]> pending = new LinkedHashMap<>(classes);
    while (!pending.isEmpty()) {
      int before = pending.size();
      Throwable last = null;
      for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        try {
          define.invoke(access, loader, e.getKey(), e.getValue(), null, "tollgate-agent");
          it.remove();
        } catch (InvocationTargetException ex) {
          if (!(ex.getCause() instanceof NoClassDefFoundError)) {
            throw ex;
          }
          last = ex.getCause();
        }
      }
      if (pending.size() == before) {
        throw new IllegalStateException("cannot define " + pending.keySet(), last);
      }
    }
  }
}
