package dev.tollgate.agent.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes and libraries from the {@link InstPack} inside the agent jar. Its parent is the
 * platform loader, never the application loader: the host's Jackson, SLF4J or ByteBuddy are invisible to us, and
 * ours (inside one jar entry no class loader or class-path scanner reads) are invisible to the host.
 */
final class InstClassLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final InstPack pack;
  private final ProtectionDomain domain;
  /**
   * The CLI's loader serves the {@code dev.tollgate.bootstrap} classes itself (no one defined them in the boot loader);
   * the agent's never does: there the boot loader must have them, and a class of the agent that needs one before
   * they are defined fails ({@code NoClassDefFoundError}) rather than being linked against a second, private copy.
   */
  private final boolean servesBootstrap;

  InstClassLoader(File jarFile, ClassLoader parent, boolean servesBootstrap) throws IOException {
    super("tollgate", parent);
    this.servesBootstrap = servesBootstrap;
    this.jar = new JarFile(jarFile, false);
    this.pack = InstPack.open(jar);
    URL location = jarFile.toURI().toURL();
    this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
  }

  /**
   * Our own classes first: a class in the pack is defined here without asking the platform loader,
   * which would ask the boot loader to search the runtime image for it first (a lookup per class that cannot
   * succeed: none of our packages is the JDK's; 277 of our classes load on a warm start, 1 400 on a cold one).
   * Everything else — the JDK, and the {@code dev.tollgate.bootstrap} classes on the boot class path — is the
   * parent's, as before.
   */
  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith("java.")) {
      return super.loadClass(name, resolve);
    }
    int own = pack.find(name.replace('.', '/') + ".class");
    if (own < 0) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = define(name, own, null);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  /**
   * Reached only for a class the parent does not have and the pack does not hold ({@link #loadClass} defined
   * those): in CLI mode the bootstrap classes, which were not defined in the boot loader, from the jar's root.
   */
  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = servesBootstrap && name.startsWith("dev.tollgate.bootstrap.")
        ? jar.getJarEntry(name.replace('.', '/') + ".class") : null;
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    return define(name, -1, entry);
  }

  /** Defines {@code name} from the pack's record {@code own}, or else from the jar's {@code entry}. */
  private Class<?> define(String name, int own, JarEntry entry) throws ClassNotFoundException {
    byte[] bytes;
    try {
      if (own >= 0) {
        bytes = pack.read(own);
      } else {
        try (InputStream in = jar.getInputStream(entry)) {
          bytes = in.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      String pkg = name.substring(0, dot);
      if (getDefinedPackage(pkg) == null) {
        try {
          definePackage(pkg, null, null, null, null, null, null, null);
        } catch (IllegalArgumentException raced) {
          // another thread defined it first
        }
      }
    }
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  /**
   * Our own resources straight from the pack: ByteBuddy reads every advice class's bytes this way, and a URL would
   * cost a handler and a connection per resource.
   */
  @Override
  public InputStream getResourceAsStream(String name) {
    try {
      InputStream own = pack.stream(name);
      return own != null ? own : super.getResourceAsStream(name);
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  protected URL findResource(String name) {
    if (pack.find(name) < 0) {
      return null;
    }
    try {
      return pack.url(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
  }
}
