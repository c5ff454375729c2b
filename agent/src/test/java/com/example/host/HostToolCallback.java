package com.example.host;

import java.util.function.UnaryOperator;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * A host app's own {@code ToolCallback} that implements only {@code call(String)} and relies on the interface's
 * default {@code call(String, ToolContext)}. Outside {@code dev.tollgate}, which the agent never weaves.
 */
public final class HostToolCallback implements ToolCallback {
  private final String name;
  private final UnaryOperator<String> body;

  public HostToolCallback(String name, UnaryOperator<String> body) {
    this.name = name;
    this.body = body;
  }

  @Override
  public ToolDefinition getToolDefinition() {
    return ToolDefinition.builder().name(name).description(name).inputSchema("{}").build();
  }

  @Override
  public String call(String toolInput) {
    return body.apply(toolInput);
  }
}
