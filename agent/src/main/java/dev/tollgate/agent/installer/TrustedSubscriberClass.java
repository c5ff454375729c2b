package dev.tollgate.agent.installer;

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
