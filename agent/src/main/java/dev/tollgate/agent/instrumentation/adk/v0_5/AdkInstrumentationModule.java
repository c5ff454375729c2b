package dev.tollgate.agent.instrumentation.adk.v0_5;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Google ADK for Java 1.x (1.0.0 to 1.8.0 proved; {@code BaseTool.runAsync(Map, ToolContext)} is the same in both).
 * 0.5.0 was declared once but nothing was governed there (AdkToolIT's tools ran with the agent attached), so it is out
 * of range: skipped with a {@code coverage} entry and a warning instead of silently ungoverned. An ADK run is
 * one invocation ({@code Runner.runAsync}); tools know it by {@code ToolContext.invocationId()}, whichever thread
 * the reactive pipeline runs them on, and the session by {@code ToolContext.sessionId()}. The invocation's model
 * calls join the same run, with the ADK session as its conversation ({@code BaseLlmFlow.callLlm}).
 */
public final class AdkInstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "google-adk";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("com.google.adk.tools.BaseTool", "com.google.adk.tools.ToolContext");
  }

  @Override
  public List<String> anchors() {
    return List.of("com.google.adk.tools.BaseTool",
        "com.google.adk.runner.Runner",
        "com.google.adk.flows.llmflows.BaseLlmFlow");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/com.google.adk/google-adk/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new BaseToolInstrumentation(), new RunnerInstrumentation(), new LlmFlowInstrumentation());
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
    return List.of("com.google.adk.tools.BaseTool#runAsync",
        "com.google.adk.tools.BaseTool#name");
  }
}
