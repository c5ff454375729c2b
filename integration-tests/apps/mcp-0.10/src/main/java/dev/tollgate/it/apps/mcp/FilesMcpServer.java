package dev.tollgate.it.apps.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code files} MCP server of {@code apps/mcp}, written against the SDK 0.10 API (Jackson 2 ObjectMapper,
 * record constructors, tool handlers taking the argument map). Same tools, same stderr markers.
 */
public final class FilesMcpServer {

    static final String NAME = "files";
    static final String SYNC_URI = "sync://markers";

    private FilesMcpServer() {
    }

    public static void main(String[] args) {
        ObjectMapper json = new ObjectMapper();
        McpServer.sync(new StdioServerTransportProvider(json))
                .serverInfo(NAME, "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(false, false).build())
                .tools(tool("delete_file", "Deletes the file at the given path", "path", path -> {
                            marker("TOOL_RAN delete_file");
                            try {
                                return Files.deleteIfExists(Path.of(path)) ? "deleted " + path : "no such file " + path;
                            } catch (IOException e) {
                                return "cannot delete " + path + ": " + e;
                            }
                        }),
                        tool("lookup", "Looks up the value stored under a key", "key", key -> {
                            marker("TOOL_RAN lookup " + key);
                            return "value-of-" + key;
                        }))
                .resources(new McpServerFeatures.SyncResourceSpecification(
                        new McpSchema.Resource(SYNC_URI, "sync", null, "text/plain", null),
                        (exchange, request) -> {
                            marker("SYNC");
                            return new McpSchema.ReadResourceResult(
                                    List.of(new McpSchema.TextResourceContents(SYNC_URI, "text/plain", "ok")));
                        }))
                .build();
        // the transport's reader threads keep the JVM alive until the client closes the pipe or destroys us
    }

    private interface Body {
        String run(String argument);
    }

    private static McpServerFeatures.SyncToolSpecification tool(String name, String description, String parameter,
            Body body) {
        String schema = """
                {"type":"object","properties":{"%s":{"type":"string"}},"required":["%s"]}""".formatted(parameter, parameter);
        return new McpServerFeatures.SyncToolSpecification(new McpSchema.Tool(name, description, schema),
                (exchange, arguments) -> {
                    Object argument = arguments == null ? null : arguments.get(parameter);
                    String text = body.run(String.valueOf(argument));
                    return new McpSchema.CallToolResult(List.of(new McpSchema.TextContent(text)), false);
                });
    }

    private static void marker(String line) {
        System.err.println(line);
        System.err.flush();
    }
}
