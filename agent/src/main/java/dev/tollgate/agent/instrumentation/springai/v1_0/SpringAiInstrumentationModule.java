package dev.tollgate.agent.instrumentation.springai.v1_0;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Spring AI 1.0 to 2.0 (1.1.8 and 2.0.1 tested). The tool choke point ({@code ToolCallback.call}) and the
 * {@code ChatClient} funnel ({@code DefaultCallResponseSpec.doGetObservableChatClientResponse}) have the same shape
 * in every line, although the tool loop itself moved from the provider {@code ChatModel} (1.x) into
 * {@code ToolCallingAdvisor} (2.0): both run inside the woven run boundary, so one module serves all lines.
 */
public final class SpringAiInstrumentationModule implements InstrumentationModule {
  static final String FRAMEWORK = "spring-ai";

  @Override
  public String name() {
    return FRAMEWORK;
  }

  @Override
  public List<String> markerClasses() {
    // spring-ai-model holds ToolCallback, ToolContext and ChatModel; ChatClient (spring-ai-client-chat) is optional
    return List.of("org.springframework.ai.tool.ToolCallback", "org.springframework.ai.chat.model.ToolContext");
  }

  @Override
  public List<String> anchors() {
    return List.of("org.springframework.ai.tool.ToolCallback",
        "org.springframework.ai.tool.augment.AugmentedToolCallback",
        "org.springframework.ai.chat.model.ChatModel",
        "org.springframework.ai.chat.client.DefaultChatClient$DefaultCallResponseSpec",
        "org.springframework.ai.chat.client.DefaultChatClient$DefaultStreamResponseSpec",
        "org.springframework.ai.model.tool.ToolCallingManager",
        "org.springframework.ai.chat.model.StreamingChatModel");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/org.springframework.ai/spring-ai-model/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ToolCallbackInstrumentation(), new ChatClientCallInstrumentation(),
        new ChatModelCallInstrumentation(), new ChatClientStreamInstrumentation(),
        new ChatModelStreamInstrumentation(), new ToolCallingManagerInstrumentation());
  }

  @Override
  public String minVersion() {
    return "1.0.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "3.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of("org.springframework.ai.tool.ToolCallback#call",
        "org.springframework.ai.tool.ToolCallback#getToolDefinition",
        "org.springframework.ai.tool.definition.ToolDefinition#name");
  }
}
