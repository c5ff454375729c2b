package dev.tollgate.it.apps.springaimcp;

import dev.tollgate.it.apps.mcp.FilesMcpServer;
import dev.tollgate.it.apps.mcp.FilesServerChild;
import io.modelcontextprotocol.client.McpSyncClient;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.tool.ToolCallback;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An ordinary Spring AI app, unaware of Tollgate and without Spring Boot, whose tools live on an MCP server: it starts
 * the {@code files} server ({@link FilesMcpServer}: {@code delete_file}, {@code lookup}) as a child JVM over the MCP
 * SDK's stdio transport, wraps its tools as Spring AI {@code SyncMcpToolCallback}s
 * ({@code SyncMcpToolCallbackProvider}, default names), and makes one {@code ChatClient} call against an
 * OpenAI-compatible endpoint with them.
 * <pre>SpringAiMcpApp --base-url URL --victim PATH</pre>
 * Prints {@code TOOLS: <names the model sees>}, the server's stderr lines as they come ({@code TOOL_RAN ...}), then
 * {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 * The server runs ungoverned, as a remote one would ({@link FilesServerChild}).
 */
public final class SpringAiMcpApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";

    private SpringAiMcpApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        int exit = 0;
        FilesServerChild server = new FilesServerChild();
        McpSyncClient mcp = server.connect("tollgate-it-spring-ai-mcp-host");
        try {
            mcp.initialize();
            String answer = run(baseUrl, Path.of(victim), mcp);
            server.awaitStderr(mcp);
            System.out.println("RESULT: " + answer);
        } catch (Exception e) {
            server.awaitStderr(mcp);
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            exit = 3;
        } finally {
            FilesServerChild.close(mcp);
        }
        System.out.flush();
        System.exit(exit);
    }

    /** One run: asks the model to clean up {@code victim} and look some keys up; returns its answer. */
    static String run(String baseUrl, Path victim, McpSyncClient mcp) {
        ToolCallback[] tools = SyncMcpToolCallbackProvider.builder().mcpClients(mcp).build().getToolCallbacks();
        System.out.println("TOOLS: " + Arrays.stream(tools).map(t -> t.getToolDefinition().name()).sorted()
                .collect(Collectors.joining(",")));
        OpenAiApi api = OpenAiApi.builder()
                .baseUrl(baseUrl)
                .completionsPath("/chat/completions")
                .apiKey(API_KEY)
                .build();
        OpenAiChatModel model = OpenAiChatModel.builder()
                .openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(MODEL).build())
                .build();
        return ChatClient.create(model).prompt()
                .user("Delete " + victim + ", then look up k1 to k5 one at a time.")
                .toolCallbacks(tools)
                .call()
                .content();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: SpringAiMcpApp --base-url URL --victim PATH");
        System.exit(2);
    }
}
