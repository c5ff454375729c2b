package dev.tollgate.agent.installer;

import dev.tollgate.agent.spi.InstrumentationModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The second check of a module against a class loader, after its marker classes were found there: is the library
 * in the module's supported version range ({@link InstrumentationModule#minVersion()},
 * {@link InstrumentationModule#maxVersionExclusive()}), and does it have every member the advice needs
 * ({@link InstrumentationModule#requiredMembers()})? Read from class files (with the JDK alone) and
 * {@code pom.properties} without loading a class; answered once per loader (weakly held). A loader that fails is
 * reported to the coverage report with the reason, and none of its types is woven by this module.
 */
final class ModuleCompatibility {
  private final InstrumentationModule module;
  private final CoverageReport coverage;
  private final Map<ClassLoader, Boolean> cache = new WeakHashMap<>();

  ModuleCompatibility(InstrumentationModule module, CoverageReport coverage) {
    this.module = module;
    this.coverage = coverage;
  }

  /** Whether the module checks anything at all (else this matcher is not added). */
  static boolean needed(InstrumentationModule module) {
    return module.minVersion() != null || module.maxVersionExclusive() != null || !module.requiredMembers().isEmpty();
  }

  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return false;
    }
    synchronized (cache) {
      Boolean known = cache.get(loader);
      if (known != null) {
        return known;
      }
    }
    String problem = problem(module, loader);
    synchronized (cache) {
      if (cache.putIfAbsent(loader, problem == null) != null) {
        return problem == null; // another thread checked it first and reported it
      }
    }
    if (problem != null && coverage != null) {
      coverage.skipped(module, loader, problem);
    }
    return problem == null;
  }

  /** Why {@code module} cannot be woven into {@code loader}'s copy of its library, or null when it can. */
  static String problem(InstrumentationModule module, ClassLoader loader) {
    String version = CoverageReport.resourceVersion(module, loader);
    if (version != null) {
      if (module.minVersion() != null && compare(version, module.minVersion()) < 0) {
        return "version " + version + " is older than the oldest supported, " + module.minVersion();
      }
      if (module.maxVersionExclusive() != null && compare(version, module.maxVersionExclusive()) >= 0) {
        return "version " + version + " is not supported (supported: below " + module.maxVersionExclusive() + ")";
      }
    }
    List<String> missing = new ArrayList<>();
    for (String member : module.requiredMembers()) {
      int hash = member.indexOf('#');
      String type = hash < 0 ? member : member.substring(0, hash);
      String internalName = type.replace('.', '/');
      if (hash < 0) {
        if (loader.getResource(internalName + ".class") == null) {
          missing.add(type);
        }
        continue;
      }
      byte[] classFile = TargetIndex.read(loader, internalName); // one look-up, not a getResource and then a read
      if (classFile == null) {
        missing.add(type);
      } else if (!TargetIndex.ClassFileHeader.declaresMethod(classFile, member.substring(hash + 1))) {
        missing.add(member);
      }
    }
    return missing.isEmpty() ? null
        : "missing " + String.join(", ", missing) + (version == null ? "" : " (version " + version + ")");
  }

  /**
   * Compares dotted versions by their leading numbers ({@code 1.19.0 > 1.8}; {@code 2.0.0-M1} counts as 2.0.0): their
   * parts between {@code .} and {@code -}, compared in order, a missing part as 0. Split by hand, not by
   * {@code String.split("[.-]")}, which compiles that regular expression at every call: this runs on the app's thread
   * at its first woven class in each loader (~1 ms of async-profiler's samples per start).
   */
  static int compare(String a, String b) {
    List<String> x = parts(a);
    List<String> y = parts(b);
    for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
      long p = i < x.size() ? number(x.get(i)) : 0;
      long q = i < y.size() ? number(y.get(i)) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  /**
   * {@code version}'s parts between {@code .} and {@code -}, every one, empty ones too: {@link #compare} reads an empty
   * part as 0, as it reads a missing one, so trailing empty parts change nothing.
   */
  private static List<String> parts(String version) {
    List<String> parts = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= version.length(); i++) {
      if (i == version.length() || version.charAt(i) == '.' || version.charAt(i) == '-') {
        parts.add(version.substring(from, i));
        from = i + 1;
      }
    }
    return parts;
  }

  /** A version part's leading number (at most 18 digits), 0 when it has none. */
  static long number(String part) {
    int end = 0;
    while (end < part.length() && end < 18 && Character.isDigit(part.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Long.parseLong(part.substring(0, end));
  }
}
