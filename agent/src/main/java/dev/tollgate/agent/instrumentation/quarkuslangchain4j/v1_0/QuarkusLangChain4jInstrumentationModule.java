package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * quarkus-langchain4j 1.x (1.10.0 tested): Quarkus generates the AI-service implementations at build time, and
 * they call {@code AiServiceMethodImplementationSupport.implement(Input)} instead of LangChain4j's
 * {@code DefaultAiServices}, which runs the tool loop itself. Tools still go through LangChain4j's
 * {@code ToolExecutor} (Quarkus's {@code QuarkusToolExecutor}), where the LangChain4j instrumentation decides them;
 * this module adds the run boundary and carries a halt past the loop's own catch-all in {@code executeTool}.
 */
public final class QuarkusLangChain4jInstrumentationModule implements InstrumentationModule {
  static final String SUPPORT = "io.quarkiverse.langchain4j.runtime.aiservice.AiServiceMethodImplementationSupport";

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
    return List.of(SUPPORT);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/io.quarkiverse.langchain4j/quarkus-langchain4j-core/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new AiServiceMethodImplementationInstrumentation());
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
