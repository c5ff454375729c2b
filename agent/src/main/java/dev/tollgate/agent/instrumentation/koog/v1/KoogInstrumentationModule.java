package dev.tollgate.agent.instrumentation.koog.v1;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * JetBrains Koog 1.x ({@code ai.koog:koog-agents-jvm}; 1.1.1 proved). Every tool call an agent's strategy makes goes
 * through its per-run {@code ContextualAgentEnvironment.executeTool}, a Kotlin {@code suspend} function: decided there,
 * on the call's first entry, before the tool (and Koog's tool-call events) run. A Koog run is one
 * {@code AIAgent.run(..)}: its root {@code AIAgentContext} (followed up {@code parentContext} where Koog sets one; an
 * agent used as another's tool was not tested), which every tool call of the run reaches whichever coroutine or
 * thread it runs on, identifies the run; its
 * {@code runId} (Koog's session id, random unless the caller passes one) is the session. Koog's jars carry no Maven
 * version resource, so the version line is held by {@link #requiredMembers()}: {@code ai.koog.serialization.JSONObject}
 * (the result type the refusal builds) is 1.x only.
 */
public final class KoogInstrumentationModule implements InstrumentationModule {
  static final String ENVIRONMENT = "ai.koog.agents.core.environment.ContextualAgentEnvironment";

  @Override
  public String name() {
    return "koog";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(ENVIRONMENT, "ai.koog.agents.core.environment.ReceivedToolResult");
  }

  @Override
  public List<String> anchors() {
    return List.of(ENVIRONMENT, PromptExecutorInstrumentation.EXECUTOR);
  }

  @Override
  public List<String> versionResources() {
    return List.of();
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new AgentEnvironmentInstrumentation(), new PromptExecutorInstrumentation());
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(ENVIRONMENT + "#executeTool",
        "ai.koog.agents.core.agent.context.AIAgentContext#getRunId",
        "ai.koog.agents.core.agent.context.AIAgentContext#getParentContext",
        "ai.koog.prompt.message.MessagePart$Tool$Call#getArgs",
        "ai.koog.agents.core.environment.ToolResultKind$Failure",
        "ai.koog.serialization.JSONObject",
        PromptExecutorInstrumentation.EXECUTOR + "#execute");
  }
}
