package dev.tollgate.agent.instrumentation.embabel.v0_5;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Embabel ({@code com.embabel.agent:embabel-agent-api}, 0.5.0 proved). Embabel runs its own tool loop over Spring AI
 * models: every tool call of a {@code DefaultToolLoop} (and {@code ParallelToolLoop}, a subclass) goes through
 * {@code executeToolCall(Tool, ToolCall)}, decided there before the tool and Embabel's tool-call inspectors run. A run
 * is one agent process: the {@code AgentProcess} current on the thread that dispatches the tool (Embabel's own
 * thread-local), known by its id. Embabel runs each LLM invocation under a Spring Retry {@code RetryTemplate} that
 * retries any exception: {@link RetryTemplateInstrumentation} keeps a halt from being retried there. Embabel is Java 21 bytecode, which the agent (Java 17) does not compile against: the
 * advice reaches Embabel's types by reflection, through {@link EmbabelToolCalls}.
 */
public final class EmbabelInstrumentationModule implements InstrumentationModule {
  static final String TOOL_LOOP = "com.embabel.agent.spi.loop.support.DefaultToolLoop";

  @Override
  public String name() {
    return "embabel";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(TOOL_LOOP, "com.embabel.chat.ToolCall", "com.embabel.agent.core.AgentProcess");
  }

  @Override
  public List<String> anchors() {
    return List.of(TOOL_LOOP, RetryTemplateInstrumentation.RETRY_TEMPLATE);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/com.embabel.agent/embabel-agent-api/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ToolLoopInstrumentation(), new RetryTemplateInstrumentation());
  }

  @Override
  public String minVersion() {
    return "0.5.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "0.6.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(TOOL_LOOP + "#executeToolCall",
        "com.embabel.chat.ToolCall#getName",
        "com.embabel.chat.ToolCall#getArguments",
        "com.embabel.agent.core.AgentProcess#get",
        "com.embabel.agent.api.tool.Tool$Result$Error");
  }
}
