package dev.tollgate.agent.installer;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * The class file of {@code TrustedMeteredSubscriber}, written with the JDK alone: a subclass of
 * {@code MeteredBodyHandler$Subscriber} that also implements the JDK HTTP client's internal
 * {@code ResponseSubscribers$TrustedSubscriber} (which {@code --release 17} cannot compile against), with the
 * superclass's one constructor and {@code needsExecutor()} answered by {@code delegateNeedsExecutor()}. It was made
 * with ByteBuddy's subclass builder on {@code tollgate-init}, which loaded a few hundred ByteBuddy classes for one
 * class of two straight-line methods (no branches, so no stack map frames are needed).
 */
final class TrustedSubscriberClass {
  static final String PACKAGE = "dev/tollgate/platform/jdkhttp/";
  static final String NAME = PACKAGE + "TrustedMeteredSubscriber";
  static final String SUPER = PACKAGE + "MeteredBodyHandler$Subscriber";
  static final String INTERFACE = "jdk/internal/net/http/ResponseSubscribers$TrustedSubscriber";
  static final String CONSTRUCTOR = "(Ljava/net/http/HttpResponse$BodySubscriber;L" + PACKAGE + "MeteredBodyHandler;)V";

  private TrustedSubscriberClass() {}

  /**
   * Lets metered JDK {@code HttpClient} responses be delivered on the thread that read them, like unmetered ones:
   * the JDK hands the body of any subscriber that is not its own internal {@code TrustedSubscriber} to its executor,
   * a thread hand-off or two per response. Generates a subclass of the metering subscriber that implements that
   * interface (answering {@code needsExecutor()} as the app's own subscriber does), defines it beside the platform
   * helpers and exports {@code jdk.internal.net.http} to that loader only. The class file is written with the JDK
   * alone ({@link #bytes}); this runs on {@code tollgate-init-guard}, off {@code premain}'s path (and here, not in
   * {@link BootstrapDefiner}, which premain's thread loads before the platform helpers are defined).
   * False (metering works, with the hand-off) when this JDK has no such interface.
   */
  static boolean trustMeteredJdkResponses(Instrumentation inst) {
    if (!BootstrapDefiner.platformHelpersDefined()) {
      return false;
    }
    try {
      ClassLoader platformLoader = ClassLoader.getPlatformClassLoader();
      Class<?> trusted = Class.forName(dev.tollgate.platform.jdkhttp.JdkHttpGuard.TRUSTED_SUBSCRIBER, false,
          platformLoader);
      Module http = trusted.getModule();
      inst.redefineModule(http, Set.of(), Map.of("jdk.internal.net.http", Set.of(platformLoader.getUnnamedModule())),
          Map.of(), Set.of(), Map.of());
      String name = NAME.replace('/', '.');
      byte[] bytes = bytes(); // written with the JDK alone: no ByteBuddy on this path
      ClassDefiner.open(inst).defineAll(platformLoader, Map.of(name, bytes));
      Class<?> type = Class.forName(name, false, platformLoader);
      Class.forName("dev.tollgate.platform.jdkhttp.JdkHttpGuard", false, platformLoader)
          .getMethod("useTrustedSubscribers", Class.class).invoke(null, type);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** The class file's bytes (class file version 61, Java 17). */
  static byte[] bytes() {
    ClassFileBytes file = new ClassFileBytes();
    int superInit = file.methodRef(SUPER, "<init>", CONSTRUCTOR);
    int delegate = file.methodRef(SUPER, "delegateNeedsExecutor", "()Z");
    // <init>(BodySubscriber, MeteredBodyHandler): super(delegate, handler); package-private like the superclass's
    file.method(0, "<init>", CONSTRUCTOR, 3, 3, new byte[] {
        0x2A, 0x2B, 0x2C, // aload_0, aload_1, aload_2
        (byte) 0xB7, ClassFileBytes.hi(superInit), ClassFileBytes.lo(superInit), // invokespecial
        (byte) 0xB1}); // return
    // public boolean needsExecutor() { return delegateNeedsExecutor(); }
    file.method(0x0001, "needsExecutor", "()Z", 1, 1, new byte[] {
        0x2A, // aload_0
        (byte) 0xB6, ClassFileBytes.hi(delegate), ClassFileBytes.lo(delegate), // invokevirtual
        (byte) 0xAC}); // ireturn
    return file.toBytes(0x0001 | 0x0010 | 0x0020, NAME, SUPER, INTERFACE); // public final super
  }
}
