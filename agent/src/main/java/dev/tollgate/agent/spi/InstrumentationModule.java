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
}
