package dev.tollgate.agent.installer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

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

  /** UTF-8 constants written so far, to their index (the only kind written twice). */
  private final Map<String, Integer> pool = new LinkedHashMap<>();
  private final ByteArrayOutputStream constants = new ByteArrayOutputStream();
  private final DataOutputStream cp = new DataOutputStream(constants);
  private int next = 1;

  private TrustedSubscriberClass() {}

  /** The class file's bytes (class file version 61, Java 17). */
  static byte[] bytes() {
    try {
      return new TrustedSubscriberClass().write();
    } catch (IOException e) {
      throw new IllegalStateException(e); // a byte array stream does not fail
    }
  }

  private byte[] write() throws IOException {
    int thisClass = classRef(NAME);
    int superClass = classRef(SUPER);
    int iface = classRef(INTERFACE);
    int superInit = methodRef(superClass, "<init>", CONSTRUCTOR);
    int delegate = methodRef(superClass, "delegateNeedsExecutor", "()Z");
    int init = utf8("<init>");
    int initDesc = utf8(CONSTRUCTOR);
    int needs = utf8("needsExecutor");
    int needsDesc = utf8("()Z");
    int code = utf8("Code");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(0xCAFEBABE);
    d.writeShort(0);
    d.writeShort(61);
    d.writeShort(next);
    cp.flush();
    constants.writeTo(d);
    d.writeShort(0x0001 | 0x0010 | 0x0020); // public final super
    d.writeShort(thisClass);
    d.writeShort(superClass);
    d.writeShort(1);
    d.writeShort(iface);
    d.writeShort(0); // fields
    d.writeShort(2); // methods
    // <init>(BodySubscriber, MeteredBodyHandler): super(delegate, handler); package-private like the superclass's
    method(d, 0, init, initDesc, code, 3, 3, new byte[] {
        0x2A, 0x2B, 0x2C, // aload_0, aload_1, aload_2
        (byte) 0xB7, (byte) (superInit >> 8), (byte) superInit, // invokespecial
        (byte) 0xB1}); // return
    // public boolean needsExecutor() { return delegateNeedsExecutor(); }
    method(d, 0x0001, needs, needsDesc, code, 1, 1, new byte[] {
        0x2A, // aload_0
        (byte) 0xB6, (byte) (delegate >> 8), (byte) delegate, // invokevirtual
        (byte) 0xAC}); // ireturn
    d.writeShort(0); // attributes
    d.flush();
    return out.toByteArray();
  }

  private static void method(DataOutputStream d, int access, int name, int desc, int codeAttr, int maxStack,
      int maxLocals, byte[] code) throws IOException {
    d.writeShort(access);
    d.writeShort(name);
    d.writeShort(desc);
    d.writeShort(1);
    d.writeShort(codeAttr);
    d.writeInt(2 + 2 + 4 + code.length + 2 + 2);
    d.writeShort(maxStack);
    d.writeShort(maxLocals);
    d.writeInt(code.length);
    d.write(code);
    d.writeShort(0); // exception table
    d.writeShort(0); // attributes
  }

  private int utf8(String s) throws IOException {
    Integer known = pool.get(s);
    if (known != null) {
      return known;
    }
    cp.writeByte(1);
    cp.writeUTF(s);
    pool.put(s, next);
    return next++;
  }

  private int classRef(String internalName) throws IOException {
    int name = utf8(internalName);
    cp.writeByte(7);
    cp.writeShort(name);
    return next++;
  }

  private int methodRef(int owner, String name, String desc) throws IOException {
    int n = utf8(name);
    int t = utf8(desc);
    cp.writeByte(12); // NameAndType
    cp.writeShort(n);
    cp.writeShort(t);
    int nameAndType = next++;
    cp.writeByte(10); // Methodref
    cp.writeShort(owner);
    cp.writeShort(nameAndType);
    return next++;
  }
}
