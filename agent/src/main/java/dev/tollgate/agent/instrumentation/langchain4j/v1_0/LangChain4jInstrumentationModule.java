package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * LangChain4j 1.x (1.0.0 to 1.19.0 tested). Tools are decided at {@code ToolExecutor} (every version), runs are
 * AI-service proxy invocations, and halts are carried past {@code ToolService}'s catch-all error handling.
 */
public final class LangChain4jInstrumentationModule implements InstrumentationModule {
  static final String FRAMEWORK = "langchain4j";

  @Override
  public String name() {
    return FRAMEWORK;
  }

  @Override
  public List<String> markerClasses() {
    return List.of("dev.langchain4j.service.tool.ToolExecutor", "dev.langchain4j.service.AiServices");
  }

  @Override
  public List<String> anchors() {
    return List.of("dev.langchain4j.service.tool.ToolExecutor",
        "dev.langchain4j.service.DefaultAiServices",
        "dev.langchain4j.service.DefaultAiServices$",
        "dev.langchain4j.service.AiServiceTokenStream",
        "dev.langchain4j.service.AiServiceStreamingResponseHandler",
        "dev.langchain4j.service.tool.ToolService");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/dev.langchain4j/langchain4j/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ToolExecutorInstrumentation(), new AiServiceInvocationInstrumentation(),
        new ToolServiceInstrumentation(), new TokenStreamInstrumentation(TokenStreamInstrumentation.Shape.MEMORY_ID_FIELD),
        new TokenStreamInstrumentation(TokenStreamInstrumentation.Shape.INVOCATION_CONTEXT_FIELD),
        new TokenStreamInstrumentation(TokenStreamInstrumentation.Shape.NONE), new StreamingRunInstrumentation(),
        new MemoryIdInstrumentation());
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
    return List.of("dev.langchain4j.service.tool.ToolExecutor#execute",
        "dev.langchain4j.agent.tool.ToolExecutionRequest#name",
        "dev.langchain4j.agent.tool.ToolExecutionRequest#arguments");
  }
}
