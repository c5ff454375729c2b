package dev.tollgate.agent.installer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which classes an instrumentation could possibly weave, answered with the JDK alone: a class whose name is an
 * anchor (see {@code InstrumentationModule.anchors()}) or whose supertypes, followed through their class files, reach
 * one. Everything else (nearly every class an app loads) costs a prefix test, or a scan of its class file's constant
 * pool and a hash lookup per supertype, and never reaches ByteBuddy, which is loaded and set up only to weave a
 * candidate. The answer is a superset of what the instrumentations' matchers accept: ByteBuddy still decides.
 *
 * <p>Supertypes are looked up by the class loader's resource of their class file, the way ByteBuddy's type pool does,
 * and the answer is kept per class loader, so each class file is read at most once more than the JVM reads it.
 */
final class TargetIndex {
  /**
   * Package prefixes never woven: ByteBuddy, the agent itself, the JDK (besides {@code jdk.}, where the
   * {@code HttpClient} is, and only that anchor of it), and other javaagents' own classes (their loaders hide class
   * files, so matching them only produces noise).
   */
  static final List<String> NEVER_WOVEN = List.of("net.bytebuddy.", "dev.tollgate.bootstrap.",
      "dev.tollgate.platform.", "dev.tollgate.agent.", "dev.tollgate.policy.", "java.", "javax.", "sun.", "com.sun.",
      "io.opentelemetry.javaagent.", "datadog.trace.", "co.elastic.apm.agent.", "com.newrelic.agent.");

  /** Package prefixes of libraries that are never woven (kept disjoint from the instrumentations by a test). */
  static final List<String> IGNORED_LIBRARIES = List.of("com.fasterxml.jackson.", "kotlin.",
      // kotlinx, but the coroutines' top-level package, where a coroutine's context is made (the run goes along)
      "kotlinx.serialization.", "kotlinx.datetime.", "kotlinx.io.", "kotlinx.atomicfu.", "kotlinx.collections.",
      "kotlinx.coroutines.flow.", "kotlinx.coroutines.internal.", "kotlinx.coroutines.channels.",
      "kotlinx.coroutines.scheduling.", "kotlinx.coroutines.sync.", "kotlinx.coroutines.selects.",
      "kotlinx.coroutines.debug.", "kotlinx.coroutines.intrinsics.", "kotlinx.coroutines.future.",
      "kotlinx.coroutines.reactive.", "kotlinx.coroutines.reactor.", "kotlinx.coroutines.slf4j.",
      "org.slf4j.", "ch.qos.logback.", "org.apache.logging.", "org.apache.commons.", "com.google.gson.",
      "com.google.protobuf.", "com.google.common.", "org.yaml.snakeyaml.", "io.micrometer.", "org.jetbrains.",
      "io.netty.", "org.jspecify.", "com.knuddels.jtokkit.", "io.github.classgraph.", "org.antlr.",
      "com.github.victools.", "com.fasterxml.classmate.",
      // Spring's container and utilities (the instrumented Spring packages are ai, web, http: not listed here)
      "org.springframework.core.", "org.springframework.util.", "org.springframework.beans.",
      "org.springframework.context.", "org.springframework.aop.", "org.springframework.expression.",
      "org.springframework.cglib.", "org.springframework.asm.", "org.springframework.objenesis.",
      // Spring Boot, and the parts of Spring's web and HTTP modules that are no client (the instrumented classes are
      // in http.client and web.reactive.function.client), Reactor's core (Reactor Netty's client is instrumented)
      "org.springframework.boot.", "org.springframework.http.converter.", "org.springframework.http.codec.",
      "org.springframework.web.context.", "org.springframework.web.filter.", "org.springframework.web.util.",
      "org.springframework.web.cors.", "org.springframework.web.server.", "org.springframework.web.servlet.",
      "org.springframework.web.method.", "org.springframework.web.bind.", "org.springframework.scheduling.",
      "org.springframework.format.", "org.springframework.jndi.", "org.springframework.jmx.",
      "org.springframework.validation.", "reactor.core.", "reactor.util.",
      // Quarkus's container, configuration, logging and reactive libraries, Vert.x but its HTTP package, and the
      // Jakarta and MicroProfile APIs (the instrumented Quarkus classes are the LangChain4j extension's and the REST
      // client's, under io.quarkiverse, org.jboss.resteasy and io.vertx.core.http)
      "io.quarkus.arc.", "io.quarkus.runtime.", "io.quarkus.qute.", "io.smallrye.config.", "io.smallrye.common.",
      "io.smallrye.mutiny.", "io.smallrye.context.", "io.vertx.core.impl.", "io.vertx.core.spi.",
      "io.vertx.core.net.", "io.vertx.core.metrics.", "io.vertx.core.streams.", "io.vertx.core.shareddata.",
      "io.vertx.core.json.", "io.vertx.core.buffer.", "io.vertx.core.eventbus.", "io.vertx.core.file.",
      "io.vertx.core.dns.", "io.vertx.core.datagram.", "io.vertx.core.tracing.", "io.vertx.core.logging.",
      "jakarta.enterprise.", "jakarta.inject.", "jakarta.annotation.", "jakarta.ws.rs.",
      "org.eclipse.microprofile.config.", "org.jboss.logging.", "org.jboss.logmanager.", "org.jboss.threads.",
      // more of Quarkus's runtime: its generated start-up steps, launcher, TLS, configuration, Jackson, Netty and
      // Vert.x set-up, dev mode and proxies, and the LangChain4j extension's configuration and Jackson support
      // (none of the 13 081 classes of the Quarkus app under integration-tests/apps is in an anchor's hierarchy
      // outside dev.langchain4j, io.quarkiverse.langchain4j.runtime.aiservice and .tool, io.vertx.core.http.impl
      // and org.jboss.resteasy.reactive.client; the REST client's io.quarkus.rest.client is not listed here)
      "io.quarkus.runner.", "io.quarkus.bootstrap.", "io.quarkus.tls.", "io.quarkus.restclient.config.",
      "io.quarkus.jackson.", "io.quarkus.dev.", "io.quarkus.virtual.threads.", "io.quarkus.value.registry.",
      "io.quarkus.proxy.", "io.quarkus.netty.", "io.quarkus.mutiny.", "io.quarkus.commons.",
      "io.quarkus.vertx.core.runtime.", "io.quarkus.vertx.runtime.", "io.quarkus.vertx.mdc.",
      "io.quarkus.smallrye.context.", "io.quarkiverse.langchain4j.runtime.config.",
      "io.quarkiverse.langchain4j.openai.runtime.config.", "io.quarkiverse.langchain4j.runtime.jackson.",
      "org.eclipse.microprofile.context.", "org.wildfly.common.", "org.crac.", "jakarta.json.",
      // Spring Retry's back-off and retry policies and classifiers (its instrumented RetryTemplate is in .support),
      // Spring's HTTP client observation conventions, AOT hints, stereotypes and null-safety annotations, AOP Alliance
      "org.springframework.retry.backoff.", "org.springframework.retry.policy.", "org.springframework.classify.",
      "org.springframework.http.client.observation.", "org.springframework.aot.", "org.springframework.stereotype.",
      "org.springframework.lang.", "org.aopalliance.",
      // packages of the JDK's own modules outside java., javax., sun., com.sun. and jdk. (the XML and XML signature
      // APIs, GSS-API): only the JDK defines classes there
      "org.xml.sax.", "org.w3c.dom.", "org.jcp.xml.dsig.internal.", "org.ietf.jgss.");

  /** Packages (internal, with the final '/') to "skipped"; kept to a bound, past which the prefixes answer. */
  private final Map<String, Boolean> packages = new ConcurrentHashMap<>();
  private static final int MAX_PACKAGES = 16_384;

  /** How deep a hierarchy is followed; deeper (or cyclic, in a broken jar) is answered "no". */
  private static final int MAX_DEPTH = 64;

  private final AnchorNames anchors;
  /** The skipped prefixes (internal); each ends with {@code /}. */
  private final Set<String> skipped;
  /** Per class loader (the boot loader under {@link #BOOT}): internal name to "in an anchor's hierarchy". */
  private final Map<Object, Map<String, Boolean>> known = new WeakHashMap<>();
  private static final Object BOOT = new Object();
  /** Per class loader, like {@link #known}: internal name to its direct supertypes ({@link #supertypesOf}). */
  private final Map<Object, Map<String, String[]>> supertypes = new WeakHashMap<>();
  private static final String[] NO_CLASS_FILE = new String[0];

  /** {@code anchors}: binary class names; a name ending in {@code $} is a prefix. */
  TargetIndex(List<String> anchors) {
    this.anchors = new AnchorNames(anchors);
    List<String> skip = new ArrayList<>(List.of("jdk/")); // only its anchor, the HttpClient, is woven
    for (String p : NEVER_WOVEN) {
      skip.add(p.replace('.', '/'));
    }
    for (String p : IGNORED_LIBRARIES) {
      skip.add(p.replace('.', '/'));
    }
    for (String p : skip) {
      if (!p.endsWith("/")) { // isSkipped answers per package: a prefix must end at a package's boundary
        throw new IllegalStateException("a skipped prefix must end with a package's '.': " + p);
      }
    }
    this.skipped = new HashSet<>(skip);
  }

  boolean isAnchor(String internalName) {
    return anchors.contains(internalName);
  }

  /**
   * A package no instrumentation weaves (the JDK, the agent, libraries that are never targets). Answered per package
   * once ({@link #skippedPackage}) and then from {@link #packages}: every class the app loads asks, and a lookup in a
   * {@link ConcurrentHashMap} runs code the JVM's own class loading has made hot already, where the prefix loop asked
   * per class was the agent's own hot method, compiled by C2 beside the app's start (18.5 ms of C2 per start, Quarkus,
   * Temurin 25: docs/benchmarks.md, "Start-up, seventeenth pass").
   */
  boolean isSkipped(String internalName) {
    int slash = internalName.lastIndexOf('/');
    if (slash < 0) {
      return false; // the unnamed package: every prefix ends with '/'
    }
    // every prefix ends with '/', so it starts the name exactly when it starts the name's package (with its '/')
    String pkg = internalName.substring(0, slash + 1);
    Boolean known = packages.get(pkg);
    if (known == null) {
      known = skippedPackage(pkg);
      if (packages.size() < MAX_PACKAGES) {
        packages.put(pkg, known);
      }
    }
    return known;
  }

  /**
   * The prefix test for a package ({@code pkg} ends with its {@code /}), one set look-up per level of the package:
   * every prefix ends with {@code /}, so a prefix starts the package exactly when it is one of the package's own
   * {@code /}-ended beginnings. (The loop over the ~130 prefixes, {@link #skippedPrefix}, made {@code String.startsWith}
   * a C2 compilation of its own at every start: ~41 000 calls for the 360 packages of a Quarkus start.)
   */
  boolean skippedPackage(String pkg) {
    return AnchorNames.hasBeginningIn(pkg, '/', skipped);
  }

  /** The prefix test itself, by the prefixes: does a skipped prefix start {@code name}? (The tests' reference.) */
  boolean skippedPrefix(String name) {
    for (String p : skipped) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Could an instrumentation weave this class? {@code classfile}: the bytes being defined; {@code redefined}: the
   * class when it is being retransformed (then its loaded supertypes answer).
   */
  boolean isCandidate(ClassLoader loader, String internalName, byte[] classfile, Class<?> redefined) {
    if (internalName == null) {
      return false;
    }
    if (isAnchor(internalName)) {
      return true;
    }
    if (isSkipped(internalName)) {
      return false;
    }
    if (redefined != null) {
      return inHierarchyOfAnchor(redefined, new HashSet<>());
    }
    String[] supers = ClassFileHeader.supertypes(classfile);
    if (supers == null) {
      return false; // not a class file ByteBuddy could read either
    }
    boolean candidate = false;
    for (String s : supers) {
      if (s != null && inHierarchy(loader, s, 0)) {
        candidate = true;
        break;
      }
    }
    cache(loader).put(internalName, candidate);
    return candidate;
  }

  /** Is {@code c} an anchor or below one, by its loaded supertypes? */
  boolean inHierarchyOfAnchor(Class<?> c, Set<Class<?>> seen) {
    if (c == null || !seen.add(c)) {
      return false;
    }
    if (isAnchor(c.getName().replace('.', '/'))) {
      return true;
    }
    if (inHierarchyOfAnchor(c.getSuperclass(), seen)) {
      return true;
    }
    for (Class<?> i : c.getInterfaces()) {
      if (inHierarchyOfAnchor(i, seen)) {
        return true;
      }
    }
    return false;
  }

  private boolean inHierarchy(ClassLoader loader, String internalName, int depth) {
    if (isAnchor(internalName)) {
      return true;
    }
    if (isSkipped(internalName) || depth > MAX_DEPTH) {
      return false;
    }
    Map<String, Boolean> cache = cache(loader);
    Boolean answer = cache.get(internalName);
    if (answer != null) {
      return answer;
    }
    boolean found = false;
    String[] supers = supertypesOf(loader, internalName);
    if (supers != null) {
      for (String s : supers) {
        if (s != null && inHierarchy(loader, s, depth + 1)) {
          found = true;
          break;
        }
      }
    }
    cache.put(internalName, found);
    return found;
  }

  private Map<String, Boolean> cache(ClassLoader loader) {
    Object key = loader == null ? BOOT : loader;
    synchronized (known) { // no computeIfAbsent with a lambda: the gate runs this from premain on
      Map<String, Boolean> cache = known.get(key);
      if (cache == null) {
        cache = new ConcurrentHashMap<>();
        known.put(key, cache);
      }
      return cache;
    }
  }

  /**
   * The direct supertypes of a class (its super class, null for {@code java/lang/Object}, and interfaces), from its
   * class file as the loader finds it, or null when it has none; each read once per loader. The {@link CachingWeaver}
   * walks hierarchies with it too, so a class file this index read is not read again.
   */
  String[] supertypesOf(ClassLoader loader, String internalName) {
    Map<String, String[]> read;
    Object key = loader == null ? BOOT : loader;
    synchronized (supertypes) {
      read = supertypes.get(key);
      if (read == null) {
        read = new ConcurrentHashMap<>();
        supertypes.put(key, read);
      }
    }
    String[] found = read.get(internalName);
    if (found == null) {
      found = ClassFileHeader.supertypes(read(loader, internalName));
      read.put(internalName, found == null ? NO_CLASS_FILE : found);
    }
    return found == NO_CLASS_FILE ? null : found;
  }

  /**
   * A class file as the loader would find it; null when it has none (generated, hidden) or it cannot be read.
   *
   * <p>Read, never loaded: a class loaded from inside a transformer (the JVM is defining the class this index was
   * asked about) is defined without any transformer seeing it — the JDK's agent support does not re-enter
   * transformers on a thread already in one — so it would never be woven. (Tried for speed, resolving supertypes with
   * {@code Class.forName(name, false, loader)} instead of reading them: Apache HttpClient 5's async client under
   * Koog was left unwoven, caught by {@code KoogToolIT}.)
   */
  static byte[] read(ClassLoader loader, String internalName) {
    String resource = internalName + ".class";
    try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
        : loader.getResourceAsStream(resource)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Reads a class file's super class and interfaces (internal names) from its header, nothing else. */
  static final class ClassFileHeader {
    private ClassFileHeader() {}

    /** {super, interface...} ({@code super} null for {@code java/lang/Object}), or null if it is no class file. */
    static String[] supertypes(byte[] b) {
      int[] offsets = constantPool(b);
      if (offsets == null) {
        return null;
      }
      try {
        int p = offsets[0]; // after the constant pool
        p += 2; // access flags
        p += 2; // this class
        int superIndex = u2(b, p);
        p += 2;
        int interfaces = u2(b, p);
        p += 2;
        String[] names = new String[1 + interfaces];
        names[0] = superIndex == 0 ? null : className(b, offsets, superIndex);
        for (int i = 0; i < interfaces; i++) {
          names[1 + i] = className(b, offsets, u2(b, p + 2 * i));
        }
        return names;
      } catch (ArrayIndexOutOfBoundsException e) {
        return null;
      }
    }

    /**
     * Where each constant pool entry's payload starts ({@code [i]} for entry {@code i}), and at {@code [0]} (no entry
     * has index 0) where the constant pool ends; null when it is no class file or an entry has an unknown tag. An entry's
     * tag is the byte before its payload.
     */
    static int[] constantPool(byte[] b) {
      if (b == null || b.length < 10 || u4(b, 0) != 0xCAFEBABE) {
        return null;
      }
      try {
        int count = u2(b, 8);
        int[] offsets = new int[Math.max(count, 1)];
        int p = 10;
        for (int i = 1; i < count; i++) {
          int tag = b[p] & 0xff;
          offsets[i] = p + 1;
          switch (tag) {
            case 1 -> p += 3 + u2(b, p + 1); // Utf8
            case 3, 4, 9, 10, 11, 12, 17, 18 -> p += 5;
            case 5, 6 -> {
              p += 9;
              i++; // a long or double takes two slots
            }
            case 7, 8, 16, 19, 20 -> p += 3;
            case 15 -> p += 4;
            default -> {
              return null;
            }
          }
        }
        offsets[0] = p;
        return offsets;
      } catch (ArrayIndexOutOfBoundsException e) {
        return null;
      }
    }

    /**
     * Does the class file declare a method named {@code name} (any descriptor, constructors as {@code <init>})? False
     * when it is no class file.
     */
    static boolean declaresMethod(byte[] b, String name) {
      int[] offsets = constantPool(b);
      if (offsets == null) {
        return false;
      }
      try {
        int p = offsets[0] + 6; // after the constant pool: access flags, this class, super class
        p += 2 + 2 * u2(b, p); // interfaces
        p = skipMembers(b, p); // fields
        int methods = u2(b, p);
        p += 2;
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        for (int m = 0; m < methods; m++) {
          int utf8 = offsets[u2(b, p + 2)];
          if (u2(b, utf8) == wanted.length
              && java.util.Arrays.equals(b, utf8 + 2, utf8 + 2 + wanted.length, wanted, 0, wanted.length)) {
            return true;
          }
          p = skipAttributes(b, p + 6);
        }
        return false;
      } catch (ArrayIndexOutOfBoundsException e) {
        return false;
      }
    }

    /** Skips a fields or methods table starting at its count; returns the offset after it. */
    private static int skipMembers(byte[] b, int p) {
      int count = u2(b, p);
      p += 2;
      for (int i = 0; i < count; i++) {
        p = skipAttributes(b, p + 6); // access flags, name, descriptor
      }
      return p;
    }

    private static int skipAttributes(byte[] b, int p) {
      int count = u2(b, p);
      p += 2;
      for (int i = 0; i < count; i++) {
        p += 6 + u4(b, p + 2);
      }
      return p;
    }

    private static String className(byte[] b, int[] offsets, int classIndex) {
      int utf8 = offsets[u2(b, offsets[classIndex])];
      int length = u2(b, utf8);
      // class names are ASCII in practice; modified UTF-8 differs from UTF-8 only for NUL and supplementary chars
      return new String(b, utf8 + 2, length, StandardCharsets.UTF_8);
    }

    /** The big-endian unsigned 16-bit value at {@code i} (also the {@link WeaveCache}'s entries'). */
    static int u2(byte[] b, int i) {
      return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /** The big-endian 32-bit value at {@code i} (also the {@link WeaveCache}'s entries'). */
    static int u4(byte[] b, int i) {
      return (u2(b, i) << 16) | u2(b, i + 2);
    }
  }
}
