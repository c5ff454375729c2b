package dev.tollgate.it.apps.mcp;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.Map;

/**
 * An ordinary MCP host, unaware of Tollgate: starts {@link FilesMcpServer} as a child process over the SDK's stdio
 * transport, then calls {@code delete_file(victim)} and {@code lookup} k1..k5 through {@code McpSyncClient}.
 * <pre>McpClientApp --victim PATH</pre>
 * Prints {@code CALL <tool> -> error=<isError> <first text>} per call, the server's stderr lines as they come
 * (so {@code TOOL_RAN ...} shows what really ran on the server), then {@code RESULT: done} and exits 0, or
 * {@code EXCEPTION: <class>: <message>} and exits 3.
 * The server runs ungoverned, as a remote one would ({@link FilesServerChild}).
 */
public final class McpClientApp {

    private McpClientApp() {
    }

    public static void main(String[] args) {
        String victim = null;
        for (int i = 0; i < args.length; i++) {
            if ("--victim".equals(args[i]) && i + 1 < args.length) {
                victim = args[++i];
            } else {
                usage("unknown argument " + args[i]);
            }
        }
        if (victim == null) {
            usage("--victim is required");
        }
        int exit = 0;
        FilesServerChild server = new FilesServerChild();
        McpSyncClient client = server.connect("tollgate-it-mcp-host");
        try {
            client.initialize();
            call(client, "delete_file", Map.of("path", victim));
            for (int k = 1; k <= 5; k++) {
                call(client, "lookup", Map.of("key", "k" + k));
            }
            server.awaitStderr(client);
            System.out.println("RESULT: done");
        } catch (Exception e) {
            server.awaitStderr(client);
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            exit = 3;
        } finally {
            FilesServerChild.close(client);
        }
        System.out.flush();
        System.exit(exit);
    }

    private static void call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        String text = result.content() == null ? "" : result.content().stream()
                .filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text())
                .findFirst().orElse("");
        System.out.println("CALL " + tool + " -> error=" + Boolean.TRUE.equals(result.isError()) + " " + text);
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: McpClientApp --victim PATH");
        System.exit(2);
    }
}
