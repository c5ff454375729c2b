package dev.tollgate.agent.instrumentation.mcp.v0_10;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.bootstrap.LimitExceededException;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import dev.tollgate.agent.testing.WovenPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The real MCP SDK client (sync over async) with the real guard and engine, talking JSON-RPC to an in-memory
 * server that records which tools it was asked to run.
 */
class McpClientAdviceTest {
  private static WovenPolicy woven;
  @TempDir
  static Path dir;

  @BeforeAll
  static void weave() throws Exception {
    woven = WovenPolicy.weave("""
        version: 1
        tools:
          deny: ["files/delete_*"]
          mcp_servers:
            "transport:*$InMemoryServer": files
        limits:
          - { name: two-reads, scope: process, tools: "read_file", max_calls: 2 }
          - { name: no-shell, scope: process, tools: "shell", max_calls: 0, on_exceed: halt }
        """, dir, new McpClientInstrumentationModule());
  }

  @AfterAll
  static void unweave() {
    woven.close();
  }

  /** An MCP server reached through an in-memory transport; it calls itself {@code serverName}. */
  static final class InMemoryServer implements McpClientTransport {
    final List<String> ran = new CopyOnWriteArrayList<>();
    final String serverName;

    InMemoryServer() {
      this("files");
    }

    InMemoryServer(String serverName) {
      this.serverName = serverName;
    }
    private Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> client;

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
      client = handler;
      return Mono.empty();
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
      if (message instanceof McpSchema.JSONRPCRequest request) {
        Object result;
        if (McpSchema.METHOD_INITIALIZE.equals(request.method())) {
          McpSchema.InitializeRequest init = (McpSchema.InitializeRequest) request.params();
          result = new McpSchema.InitializeResult(init.protocolVersion(),
              McpSchema.ServerCapabilities.builder().tools(false).build(),
              new McpSchema.Implementation(serverName, "1.0"), null);
        } else if (McpSchema.METHOD_TOOLS_CALL.equals(request.method())) {
          McpSchema.CallToolRequest call = (McpSchema.CallToolRequest) request.params();
          ran.add(call.name());
          result = McpSchema.CallToolResult.builder().addTextContent("ran " + call.name()).isError(false).build();
        } else {
          result = Map.of();
        }
        client.apply(Mono.just(new McpSchema.JSONRPCResponse(McpSchema.JSONRPC_VERSION, request.id(), result,
            null))).subscribe();
      }
      return Mono.empty();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
      return (T) data;
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.empty();
    }
  }

  private static String text(McpSchema.CallToolResult result) {
    return ((McpSchema.TextContent) result.content().get(0)).text();
  }

  @Test
  void deniedToolNeverReachesTheServerAndTheCallerGetsAnErrorResult() throws Exception {
    InMemoryServer server = new InMemoryServer();
    try (McpSyncClient client = McpClient.sync(server).build()) {
      client.initialize();
      McpSchema.CallToolResult denied = client.callTool(
          new McpSchema.CallToolRequest("delete_file", Map.of("path", "/srv/data", "token", "sk-SECRET")));
      McpSchema.CallToolResult allowed = client.callTool(new McpSchema.CallToolRequest("list_files", Map.of()));

      assertTrue(denied.isError());
      assertTrue(text(denied).startsWith("blocked by policy: tools.deny[0]: "), text(denied));
      assertEquals("ran list_files", text(allowed));
      assertEquals(List.of("list_files"), server.ran);
    }
    String log = woven.log();
    assertTrue(log.contains("\"tool\":\"files/delete_file\""), log);
    assertTrue(log.contains("\"framework\":\"mcp\""), log);
    assertFalse(log.contains("sk-SECRET"), log);
    assertFalse(log.contains("/srv/data"), log);
  }

  @Test
  void limitsCountMcpCallsByBareToolNameToo() throws Exception {
    InMemoryServer server = new InMemoryServer();
    try (McpSyncClient client = McpClient.sync(server).build()) {
      client.initialize();
      for (int i = 0; i < 4; i++) {
        client.callTool(new McpSchema.CallToolRequest("read_file", Map.of("path", "f" + i)));
      }
      assertEquals(List.of("read_file", "read_file"), server.ran);
    }
  }

  @Test
  void haltSurfacesFromTheSyncClientAsTheTypedException() throws Exception {
    InMemoryServer server = new InMemoryServer();
    try (McpSyncClient client = McpClient.sync(server).build()) {
      client.initialize();
      LimitExceededException e = assertThrows(LimitExceededException.class,
          () -> client.callTool(new McpSchema.CallToolRequest("shell", Map.of("cmd", "rm -rf /"))));
      assertEquals("no-shell", e.limit());
      assertTrue(server.ran.isEmpty());
    }
  }

  /** The same transport class under another name: mcp_servers maps by connection, so it is a different server. */
  static final class OtherTransport implements McpClientTransport {
    final InMemoryServer inner;

    OtherTransport(InMemoryServer inner) {
      this.inner = inner;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
      return inner.connect(handler);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
      return inner.sendMessage(message);
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
      return inner.unmarshalFrom(data, type);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.empty();
    }
  }

  @Test
  void aServerThatCallsItselfFilesIsNotTheConfiguredFilesServer() throws Exception {
    InMemoryServer impostor = new InMemoryServer("files");
    try (McpSyncClient client = McpClient.sync(new OtherTransport(impostor)).build()) {
      client.initialize();
      McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("delete_file", Map.of()));
      assertFalse(result.isError(), "files/delete_* is about the configured files connection only");
      assertEquals(List.of("delete_file"), impostor.ran);
    }
    String log = woven.log();
    assertTrue(log.contains("\"tool\":\"transport:dev.tollgate.agent.instrumentation.mcp.v0_10.McpClientAdviceTest$"
        + "OtherTransport/delete_file\""), log);
  }

  @Test
  void stdioAndHttpConnectionsAreReadFromTheTransportsConfiguration() {
    var json = io.modelcontextprotocol.json.McpJsonDefaults.getMapper();
    var stdio = new io.modelcontextprotocol.client.transport.StdioClientTransport(
        io.modelcontextprotocol.client.transport.ServerParameters.builder("/usr/bin/npx")
            .args("-y", "@modelcontextprotocol/server-filesystem", "/srv").build(), json);
    McpSyncClient stdioClient = McpClient.sync(stdio).build();
    assertEquals("stdio:/usr/bin/npx -y @modelcontextprotocol/server-filesystem /srv",
        McpConnection.of(asyncOf(stdioClient)));
    var http = io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
        .builder("http://127.0.0.1:9").endpoint("/mcp").build();
    assertEquals("http://127.0.0.1:9/mcp", McpConnection.of(asyncOf(McpClient.sync(http).build())));
  }

  /** The async client a sync client delegates to (the instrumented one). */
  private static Object asyncOf(McpSyncClient client) {
    try {
      for (java.lang.reflect.Field f : McpSyncClient.class.getDeclaredFields()) {
        if (f.getType().getName().equals("io.modelcontextprotocol.client.McpAsyncClient")) {
          f.setAccessible(true);
          return f.get(client);
        }
      }
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no async client in " + client);
  }

  /**
   * An adapter (as Spring AI's MCP tool callback does) dispatching a renamed duplicate, {@code alt_1_delete_file},
   * which no deny glob names: the MCP call inside it is decided under {@code files/delete_file} as well, refused,
   * and never reaches the server.
   */
  @Test
  void theMcpCallInsideAnAdapterIsDecidedUnderItsOwnNameToo() throws Exception {
    InMemoryServer server = new InMemoryServer();
    try (McpSyncClient client = McpClient.sync(server).build()) {
      client.initialize();
      Object adapterCall = new Object();
      assertEquals(dev.tollgate.bootstrap.Guard.PROCEED,
          dev.tollgate.bootstrap.Guard.toolEnter("spring-ai", adapterCall, "alt_1_delete_file", "{}", null));
      McpSchema.CallToolResult result;
      try {
        result = client.callTool(new McpSchema.CallToolRequest("delete_file", Map.of("path", "/srv")));
      } finally {
        dev.tollgate.bootstrap.Guard.toolExit();
      }
      assertTrue(result.isError());
      assertTrue(text(result).startsWith("blocked by policy: tools.deny[0]: "), text(result));
      assertTrue(server.ran.isEmpty(), server.ran.toString());
    }
    assertTrue(woven.log().contains("\"tool\":\"files/delete_file\""), woven.log());
  }
}
