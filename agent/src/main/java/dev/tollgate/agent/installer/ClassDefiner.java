package dev.tollgate.agent.installer;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Defines classes from bytes in any class loader, the boot loader included, with the JDK's own
 * {@code JavaLangAccess.defineClass}: no reflection into {@code ClassLoader}, no {@code Unsafe}, no jar appended to
 * anyone's class path. {@code jdk.internal.access} is opened through {@link Instrumentation#redefineModule} to this
 * class's module only (the agent's isolated loader), never to the application.
 *
 * <p>The call is made by a small class written here with the JDK alone ({@link #callerBytes}) and defined beside
 * this one, which calls {@code JavaLangAccess} directly, not through {@link java.lang.reflect.Method#invoke}:
 * since JDK 18 core reflection invokes through method handles, and the first call of a method of a new shape
 * spins its lambda forms, 19 ms of premain's thread on Temurin 25 for this one (async-profiler, LangChain4j app).
 * The caller's static initializer hands an instance to {@link #caller}, so nothing reflective is needed to make
 * one either.
 */
final class ClassDefiner {
  /** What the written class implements. */
  interface Define {
    Class<?> define(ClassLoader loader, String name, byte[] bytes);
  }

  static final String CALLER = "dev/tollgate/agent/installer/ClassDefiner$JavaLangAccessCaller";
  private static final String JLA = "jdk/internal/access/JavaLangAccess";
  /** Set by the written class's static initializer. */
  static volatile Define caller;

  private final Define define;

  private ClassDefiner(Define define) {
    this.define = define;
  }

  static ClassDefiner open(Instrumentation inst) throws ReflectiveOperationException {
    Define d = caller;
    if (d == null) {
      synchronized (ClassDefiner.class) {
        if (caller == null) {
          Module self = ClassDefiner.class.getModule();
          inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
              Map.of("jdk.internal.access", Set.of(self)), Set.of(), Map.of());
          Class<?> written = MethodHandles.lookup().defineClass(callerBytes());
          Class.forName(written.getName(), true, written.getClassLoader()); // its initializer sets caller
        }
        d = caller;
      }
      if (d == null) {
        throw new IllegalStateException(CALLER + " did not initialise");
      }
    }
    return new ClassDefiner(d);
  }

  /**
   * {@code final class ClassDefiner$JavaLangAccessCaller implements ClassDefiner.Define}: {@code define(loader, name,
   * bytes)} returns {@code SharedSecrets.getJavaLangAccess().defineClass(loader, name, bytes, null,
   * "tollgate-agent")}; its static initializer stores a new instance in {@link #caller}.
   */
  static byte[] callerBytes() {
    ClassFileBytes file = new ClassFileBytes();
    int objectInit = file.methodRef("java/lang/Object", "<init>", "()V");
    int self = file.classRef(CALLER);
    int selfInit = file.methodRef(CALLER, "<init>", "()V");
    int field = file.fieldRef("dev/tollgate/agent/installer/ClassDefiner", "caller",
        "Ldev/tollgate/agent/installer/ClassDefiner$Define;");
    int access = file.methodRef("jdk/internal/access/SharedSecrets", "getJavaLangAccess", "()L" + JLA + ";");
    int defineClass = file.interfaceMethodRef(JLA, "defineClass",
        "(Ljava/lang/ClassLoader;Ljava/lang/String;[BLjava/security/ProtectionDomain;Ljava/lang/String;)"
            + "Ljava/lang/Class;");
    int source = file.string("tollgate-agent");
    file.method(0x0001, "<init>", "()V", 1, 1, new byte[] {
        0x2A, // aload_0
        (byte) 0xB7, ClassFileBytes.hi(objectInit), ClassFileBytes.lo(objectInit), // invokespecial Object.<init>
        (byte) 0xB1}); // return
    file.method(0x0001, "define", "(Ljava/lang/ClassLoader;Ljava/lang/String;[B)Ljava/lang/Class;", 6, 4,
        new byte[] {
            (byte) 0xB8, ClassFileBytes.hi(access), ClassFileBytes.lo(access), // invokestatic getJavaLangAccess
            0x2B, 0x2C, 0x2D, // aload_1, aload_2, aload_3
            0x01, // aconst_null
            0x13, ClassFileBytes.hi(source), ClassFileBytes.lo(source), // ldc_w "tollgate-agent"
            (byte) 0xB9, ClassFileBytes.hi(defineClass), ClassFileBytes.lo(defineClass), 6, 0, // invokeinterface
            (byte) 0xB0}); // areturn
    file.method(0x0008, "<clinit>", "()V", 2, 0, new byte[] {
        (byte) 0xBB, ClassFileBytes.hi(self), ClassFileBytes.lo(self), // new
        0x59, // dup
        (byte) 0xB7, ClassFileBytes.hi(selfInit), ClassFileBytes.lo(selfInit), // invokespecial <init>
        (byte) 0xB3, ClassFileBytes.hi(field), ClassFileBytes.lo(field), // putstatic ClassDefiner.caller
        (byte) 0xB1}); // return
    return file.toBytes(0x0010 | 0x0020, CALLER, "java/lang/Object", // final super, package-private
        "dev/tollgate/agent/installer/ClassDefiner$Define");
  }

  /** Defines {@code classes} (binary name to bytes) in {@code loader} (null: the boot loader), in any order. */
  void defineAll(ClassLoader loader, Map<String, byte[]> classes) {
    // a class can only be defined once its superclass is: retry the rest until no progress is made
    Map<String, byte[]> pending = new LinkedHashMap<>(classes);
    while (!pending.isEmpty()) {
      int before = pending.size();
      Throwable last = null;
      for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        try {
          define.define(loader, e.getKey(), e.getValue());
          it.remove();
        } catch (NoClassDefFoundError missing) {
          last = missing;
        }
      }
      if (pending.size() == before) {
        throw new IllegalStateException("cannot define " + pending.keySet(), last);
      }
    }
  }
}
