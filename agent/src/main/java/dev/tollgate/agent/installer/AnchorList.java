package dev.tollgate.agent.installer;

import dev.tollgate.agent.spi.InstrumentationModule;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The anchors ({@link InstrumentationModule#anchors()}) of every instrumentation module in the agent jar, listed when
 * the jar is packaged ({@link #main}, run by the build over the jar's own classes), so that {@code premain} can put the
 * {@link LoadGate} in front of the app's class loading without loading and instantiating the modules: that is done on
 * {@code tollgate-init}, beside the app's start (~15 ms of {@code premain} on the JVM's main thread measured).
 *
 * <p>The list is a superset of what is woven: a module switched off by configuration, or one that cannot apply on
 * this JVM, still has its anchors held at the gate until the weaving is ready, which costs that class's load a wait
 * and nothing else. A module whose anchors the list lacks (a jar not assembled by the build) is found by
 * {@link #missing} on {@code tollgate-init} and reported as a warning: its classes loaded before that are not woven.
 */
public final class AnchorList {
  /** Where the list is in the jar (in {@code inst.pack}, beside this class): one binary name or prefix per line. */
  static final String RESOURCE = "dev/tollgate/agent/installer/anchors.list";

  private AnchorList() {}

  /** The list packaged with the agent, or null if there is none (the agent's classes run from a class path). */
  static List<String> bundled(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return null;
      }
      List<String> anchors = new ArrayList<>();
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isBlank()) {
          anchors.add(line.strip());
        }
      }
      return anchors;
    } catch (IOException e) {
      return null;
    }
  }

  /** The anchors of these modules, sorted and without repeats. */
  static List<String> of(Iterable<InstrumentationModule> modules) {
    TreeSet<String> anchors = new TreeSet<>();
    for (InstrumentationModule m : modules) {
      anchors.addAll(m.anchors());
    }
    return new ArrayList<>(anchors);
  }

  /** The anchors of {@code modules} that {@code listed} lacks, sorted; empty when the list covers them. */
  static List<String> missing(List<String> listed, Iterable<InstrumentationModule> modules) {
    List<String> missing = new ArrayList<>(of(modules));
    missing.removeAll(new java.util.HashSet<>(listed));
    return missing;
  }

  /**
   * Every instrumentation module {@code loader} finds by the {@link ServiceLoader}, instantiated: what the list is
   * written from at package time and what {@code tollgate-init} weaves with.
   */
  static List<InstrumentationModule> modulesIn(ClassLoader loader) {
    List<InstrumentationModule> modules = new ArrayList<>();
    for (InstrumentationModule m : ServiceLoader.load(InstrumentationModule.class, loader)) {
      modules.add(m);
    }
    return modules;
  }

  /** Writes the list of the modules this class's loader finds to the file {@code args[0]} (run by the build). */
  public static void main(String[] args) {
    List<InstrumentationModule> modules = modulesIn(AnchorList.class.getClassLoader());
    if (modules.isEmpty()) {
      throw new IllegalStateException("no instrumentation module on the class path");
    }
    List<String> anchors = of(modules);
    try {
      Files.write(Path.of(args[0]), anchors, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println("[tollgate] " + anchors.size() + " anchors of " + modules.size() + " modules -> " + args[0]);
  }
}
