package dev.tollgate.agent.launch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes and libraries from {@code inst/**.classdata} inside the agent jar. Its parent is
 * the platform loader, never the application loader: the host's Jackson, SLF4J or ByteBuddy are invisible to
 * us, and ours (stored under a name no class loader or class-path scanner recognises) are invisible to the host.
 */
final class InstClassLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String PREFIX = "inst/";
  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;

  InstClassLoader(File jarFile, ClassLoader parent) throws IOException {
    super("tollgate", parent);
    this.jar = new JarFile(jarFile, false);
    URL location = jarFile.toURI().toURL();
    this.jarUrl = "jar:" + location + "!/";
    this.domain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
  }

  /**
   * Our own classes first: a class stored under {@code inst/} is defined here without asking the platform loader,
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
    JarEntry own = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
    if (own == null) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = define(name, own);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  /**
   * Reached only for a class the parent does not have and {@code inst/} does not hold ({@link #loadClass} defined
   * those): in CLI mode the bootstrap classes, which were not appended to the boot class path, from the jar's root.
   */
  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = name.startsWith("dev.tollgate.bootstrap.")
        ? jar.getJarEntry(name.replace('.', '/') + ".class") : null;
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    return define(name, entry);
  }

  private Class<?> define(String name, JarEntry entry) throws ClassNotFoundException {
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = in.readAllBytes();
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
   * Our own entries straight from the open jar: ByteBuddy reads every advice class's bytes this way, and the
   * default (a {@code jar:} URL per resource) opens the jar a second time through the URL handlers.
   */
  @Override
  public InputStream getResourceAsStream(String name) {
    JarEntry found = jar.getJarEntry(entryOf(name));
    if (found == null) {
      return super.getResourceAsStream(name);
    }
    try {
      return jar.getInputStream(found);
    } catch (IOException e) {
      return null;
    }
  }

  /** The jar entry of one of our resources: under {@code inst/}, a class file stored as {@code .classdata}. */
  private static String entryOf(String resource) {
    // ByteBuddy reads advice bytes as resources; our classes are stored as .classdata
    return PREFIX + (resource.endsWith(".class")
        ? resource.substring(0, resource.length() - ".class".length()) + ".classdata" : resource);
  }

  @Override
  protected URL findResource(String name) {
    String entry = entryOf(name);
    if (jar.getJarEntry(entry) == null) {
      return null;
    }
    try {
      return new URL(jarUrl + entry);
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
  }
}
