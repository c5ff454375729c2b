package dev.tollgate.agent.instrumentation.mcp.v0_10;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * The MCP Java SDK client ({@code io.modelcontextprotocol.sdk}, 0.10 to 2.x: {@code callTool} is the same in all).
 * Tools are named {@code <server>/<tool>}, the server named by the connection the client was configured with
 * ({@link McpConnection}, mapped by {@code tools.mcp_servers}), never by the name the server reports; deny globs
 * also match {@code <tool>} alone.
 */
public final class McpClientInstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "mcp";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("io.modelcontextprotocol.client.McpAsyncClient", "io.modelcontextprotocol.spec.McpSchema");
  }

  @Override
  public List<String> anchors() {
    return List.of("io.modelcontextprotocol.client.McpAsyncClient");
  }

  @Override
  public List<String> versionResources() {
    // mcp-core since the 0.13 split; the single "mcp" jar before it
    return List.of("META-INF/maven/io.modelcontextprotocol.sdk/mcp-core/pom.properties",
        "META-INF/maven/io.modelcontextprotocol.sdk/mcp/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new McpAsyncClientInstrumentation());
  }

  @Override
  public String minVersion() {
    return "0.10.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "3.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of("io.modelcontextprotocol.client.McpAsyncClient#callTool");
  }
}
