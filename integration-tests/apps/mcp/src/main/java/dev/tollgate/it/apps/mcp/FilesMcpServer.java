package dev.tollgate.it.apps.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain MCP server named {@code files} on stdio, started by {@link McpClientApp} as a child process (without the
 * agent: it plays the remote server). Tools {@code delete_file {path}} (really deletes) and {@code lookup {key}}
 * (returns {@code value-of-<key>}). Stdout is the protocol channel, so the bodies print their
 * {@code TOOL_RAN ...} markers on stderr, before they answer. Reading the resource {@value #SYNC_URI} prints
 * {@code SYNC} on stderr: the client uses it to know it has relayed every earlier marker.
 */
public final class FilesMcpServer {

    static final String NAME = "files";
    static final String SYNC_URI = "sync://markers";

    private FilesMcpServer() {
    }

    public static void main(String[] args) {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        McpServer.sync(new StdioServerTransportProvider(json))
                .serverInfo(NAME, "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).resources(false, false).build())
                .tools(tool(json, "delete_file", "Deletes the file at the given path", "path", (name, path) -> {
                            marker("TOOL_RAN delete_file");
                            try {
                                return Files.deleteIfExists(Path.of(path)) ? "deleted " + path : "no such file " + path;
                            } catch (IOException e) {
                                return "cannot delete " + path + ": " + e;
                            }
                        }),
                        tool(json, "lookup", "Looks up the value stored under a key", "key", (name, key) -> {
                            marker("TOOL_RAN lookup " + key);
                            return "value-of-" + key;
                        }))
                .resources(new McpServerFeatures.SyncResourceSpecification(
                        McpSchema.Resource.builder().uri(SYNC_URI).name("sync").mimeType("text/plain").build(),
                        (exchange, request) -> {
                            marker("SYNC");
                            return new McpSchema.ReadResourceResult(
                                    List.of(new McpSchema.TextResourceContents(SYNC_URI, "text/plain", "ok")));
                        }))
                .build();
        // the transport's reader threads keep the JVM alive until the client closes the pipe or destroys us
    }

    private interface Body {
        String run(String tool, String argument);
    }

    private static McpServerFeatures.SyncToolSpecification tool(McpJsonMapper json, String name, String description,
            String parameter, Body body) {
        String schema = """
                {"type":"object","properties":{"%s":{"type":"string"}},"required":["%s"]}""".formatted(parameter, parameter);
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(McpSchema.Tool.builder().name(name).description(description).inputSchema(json, schema).build())
                .callHandler((exchange, request) -> {
                    Object argument = request.arguments() == null ? null : request.arguments().get(parameter);
                    String text = body.run(name, String.valueOf(argument));
                    return McpSchema.CallToolResult.builder().addTextContent(text).isError(false).build();
                })
                .build();
    }

    private static void marker(String line) {
        System.err.println(line);
        System.err.flush();
    }
}
