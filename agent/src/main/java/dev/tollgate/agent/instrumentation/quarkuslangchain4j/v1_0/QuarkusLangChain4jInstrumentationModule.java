package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * quarkus-langchain4j 1.x (1.0.0 on Quarkus 3.20.0 and 1.10.0 on Quarkus 3.33.2 tested; {@code javap} on both:
 * {@code implement(Input)} and {@code executeTool(...)} unchanged, {@code memoryId} took a fourth parameter after
 * 1.0.0, so only its first is matched): Quarkus generates the AI-service implementations at build time, and
 * they call {@code AiServiceMethodImplementationSupport.implement(Input)} instead of LangChain4j's
 * {@code DefaultAiServices}, which runs the tool loop itself. Tools still go through LangChain4j's
 * {@code ToolExecutor} (Quarkus's {@code QuarkusToolExecutor}), where the LangChain4j instrumentation decides them;
 * this module adds the run boundary and carries a halt past the loop's own catch-all in {@code executeTool}, and
 * keeps LangChain4j's retry from repeating a refused call that reached it as a REST client exception
 * ({@link ExceptionMapperInstrumentation}; Anthropic on 1.0.0).
 */
public final class QuarkusLangChain4jInstrumentationModule implements InstrumentationModule {
  static final String SUPPORT = "io.quarkiverse.langchain4j.runtime.aiservice.AiServiceMethodImplementationSupport";
  static final String EXCEPTION_MAPPER = "dev.langchain4j.internal.ExceptionMapper$DefaultExceptionMapper";

  @Override
  public String name() {
    return "quarkus-langchain4j";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(SUPPORT);
  }

  @Override
  public List<String> anchors() {
    return List.of(SUPPORT, EXCEPTION_MAPPER);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/io.quarkiverse.langchain4j/quarkus-langchain4j-core/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new AiServiceMethodImplementationInstrumentation(), new ExceptionMapperInstrumentation());
  }

  @Override
  public String minVersion() {
    return "1.0.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "2.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(SUPPORT + "#implement", SUPPORT + "#executeTool");
  }
}
