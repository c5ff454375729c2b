package dev.tollgate.agent.installer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A class file of straight-line methods (no branches, so no stack map frames), written with the JDK alone, version
 * 61 (Java 17): for the two classes the agent writes without ByteBuddy ({@link TrustedSubscriberClass},
 * {@link ClassDefiner}'s caller). Constants are added as the methods' code needs their indexes; then
 * {@link #toBytes} writes the whole file. Names and strings are ASCII (their UTF-8 is their modified UTF-8). No
 * lambdas: this runs in premain, where each lambda's first call spins a class.
 */
final class ClassFileBytes {
  /** Constants written so far, by kind and value, to their index (so none is written twice). */
  private final Map<String, Integer> pool = new HashMap<>();
  private final ByteArrayOutputStream constants = new ByteArrayOutputStream();
  private final ByteArrayOutputStream methods = new ByteArrayOutputStream();
  private int methodCount;
  private int next = 1;

  int utf8(String s) {
    Integer known = pool.get("U" + s);
    if (known != null) {
      return known;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    constants.write(1);
    u2(constants, bytes.length);
    constants.write(bytes, 0, bytes.length);
    return added("U" + s);
  }

  int classRef(String internalName) {
    return refTo(7, "C" + internalName, utf8(internalName));
  }

  int string(String value) {
    return refTo(8, "S" + value, utf8(value));
  }

  int methodRef(String owner, String name, String desc) {
    return memberRef(10, owner, name, desc);
  }

  int interfaceMethodRef(String owner, String name, String desc) {
    return memberRef(11, owner, name, desc);
  }

  int fieldRef(String owner, String name, String desc) {
    return memberRef(9, owner, name, desc);
  }

  private int refTo(int tag, String key, int utf8) {
    Integer known = pool.get(key);
    if (known != null) {
      return known;
    }
    constants.write(tag);
    u2(constants, utf8);
    return added(key);
  }

  private int memberRef(int tag, String owner, String name, String desc) {
    int ownerRef = classRef(owner);
    int nameAndType = pair(12, "N" + name + ' ' + desc, utf8(name), utf8(desc));
    return pair(tag, tag + owner + '.' + name + ' ' + desc, ownerRef, nameAndType);
  }

  private int pair(int tag, String key, int first, int second) {
    Integer known = pool.get(key);
    if (known != null) {
      return known;
    }
    constants.write(tag);
    u2(constants, first);
    u2(constants, second);
    return added(key);
  }

  private int added(String key) {
    pool.put(key, next);
    return next++;
  }

  /** Adds a method whose {@code code} uses indexes this file returned. */
  void method(int access, String name, String desc, int maxStack, int maxLocals, byte[] code) {
    int n = utf8(name);
    int d = utf8(desc);
    int codeAttr = utf8("Code");
    u2(methods, access);
    u2(methods, n);
    u2(methods, d);
    u2(methods, 1);
    u2(methods, codeAttr);
    u4(methods, 2 + 2 + 4 + code.length + 2 + 2);
    u2(methods, maxStack);
    u2(methods, maxLocals);
    u4(methods, code.length);
    methods.write(code, 0, code.length);
    u2(methods, 0); // exception table
    u2(methods, 0); // attributes
    methodCount++;
  }

  /** The class file: {@code access} flags, this class, its superclass and interfaces (internal names). */
  byte[] toBytes(int access, String thisClass, String superClass, String... interfaces) {
    int self = classRef(thisClass);
    int sup = classRef(superClass);
    int[] ifaces = new int[interfaces.length];
    for (int i = 0; i < interfaces.length; i++) {
      ifaces[i] = classRef(interfaces[i]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(constants.size() + methods.size() + 64);
    u4(out, 0xCAFEBABE);
    u2(out, 0);
    u2(out, 61);
    u2(out, next);
    out.write(constants.toByteArray(), 0, constants.size());
    u2(out, access);
    u2(out, self);
    u2(out, sup);
    u2(out, ifaces.length);
    for (int i : ifaces) {
      u2(out, i);
    }
    u2(out, 0); // fields
    u2(out, methodCount);
    out.write(methods.toByteArray(), 0, methods.size());
    u2(out, 0); // attributes
    return out.toByteArray();
  }

  /** The high byte of a {@code u2} operand (a constant's index in code). */
  static byte hi(int index) {
    return (byte) (index >> 8);
  }

  /** The low byte of a {@code u2} operand. */
  static byte lo(int index) {
    return (byte) index;
  }

  private static void u2(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  private static void u4(ByteArrayOutputStream out, int v) {
    u2(out, v >>> 16);
    u2(out, v & 0xffff);
  }
}
