package dev.tollgate.agent.spi;

import java.util.List;

/**
 * One instrumented library and version line: a name users can switch on and off, the classes whose presence
 * in a class loader says the library is there (checked before any type matching), and the types to weave.
 * Registered in {@code META-INF/services/dev.tollgate.agent.spi.InstrumentationModule}.
 */
public interface InstrumentationModule {
  /** Short name, also the {@code framework} field of log events, e.g. {@code langchain4j}. */
  String name();

  /** Classes that must all be visible from a class loader before its types are even looked at. */
  List<String> markerClasses();

  /**
   * Class-path resources that may hold the library's version ({@code version=} line), e.g. its pom.properties;
   * the first one present wins (artifacts get split or renamed between versions).
   */
  List<String> versionResources();

  /**
   * When no {@link #versionResources()} is found: a public static {@code String} field holding the library's
   * version, as {@code class#field} (e.g. {@code okhttp3.OkHttp#VERSION}), read by reflection from the loader of
   * the woven type. Name only a class whose initialisation has no side effects. Null when there is none.
   */
  default String versionField() {
    return null;
  }

  /**
   * Every class name the type matchers name, exactly or as a supertype whose subtypes they match (a name ending
   * in {@code $} is a prefix). While the agent sets up in the background, loading one of these waits for it, so
   * no instrumented class is ever defined unwoven. {@code InstrumentationModulesTest} keeps this in step with
   * the matchers.
   */
  List<String> anchors();

  /** The library's version when it is known without looking at a class loader (a JDK module), else null. */
  default String fixedVersion() {
    return null;
  }

  List<TypeInstrumentation> typeInstrumentations();

  /**
   * The oldest library version this module supports (inclusive, e.g. {@code 1.0.0}), checked against the
   * {@link #versionResources()} version of each class loader before weaving; null: no lower bound. A loader whose
   * version cannot be read is not refused on version grounds (its {@link #requiredMembers()} still are checked).
   */
  default String minVersion() {
    return null;
  }

  /** The first library version this module does not support (exclusive, e.g. {@code 2.0.0}); null: no bound. */
  default String maxVersionExclusive() {
    return null;
  }

  /**
   * What the advice and helpers need of the library, checked per class loader before weaving (a light form of
   * OpenTelemetry's muzzle): {@code class} (must exist) or {@code class#method} (a method of that name declared by
   * the class). A loader that lacks one is skipped, with a {@code coverage} entry saying which, instead of advice
   * that would throw {@code NoSuchMethodError} into the host.
   */
  default List<String> requiredMembers() {
    return List.of();
  }
}
