package dev.tollgate.it.apps.springaimcp;

import dev.tollgate.it.apps.mcp.FilesMcpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.mcp.SyncMcpToolCallbackProvider;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.ai.tool.ToolCallback;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
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
 * <p>
 * The child gets this JVM's {@code java} and class path, but no {@code -javaagent}, no {@code JAVA_TOOL_OPTIONS} and
 * no agent jar: the server runs ungoverned, as a remote one would.
 */
public final class SpringAiMcpApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";
    private static final String SYNC_URI = "sync://markers";
    private static final CountDownLatch SYNCED = new CountDownLatch(1);

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
        McpJsonMapper json = McpJsonDefaults.getMapper();
        StdioClientTransport transport = new UngovernedStdioTransport(serverParameters(), json);
        transport.setStdErrorHandler(SpringAiMcpApp::relay);
        McpSyncClient mcp = McpClient.sync(transport)
                .clientInfo(new McpSchema.Implementation("tollgate-it-spring-ai-mcp-host", "1.0.0"))
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
        try {
            mcp.initialize();
            String answer = run(baseUrl, Path.of(victim), mcp);
            awaitServerStderr(mcp);
            System.out.println("RESULT: " + answer);
        } catch (Exception e) {
            awaitServerStderr(mcp);
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            exit = 3;
        } finally {
            try {
                mcp.closeGracefully();
            } catch (RuntimeException ignored) {
                // the child is gone either way
            }
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

    /** The child's stderr, line by line, onto our stdout. */
    private static void relay(String line) {
        if ("SYNC".equals(line)) {
            SYNCED.countDown();
            return;
        }
        System.out.println(line);
    }

    /** Asks the server to print {@code SYNC} after everything so far, and waits for it: every marker is relayed. */
    private static void awaitServerStderr(McpSyncClient client) {
        try {
            if (client.isInitialized()) {
                client.readResource(new McpSchema.ReadResourceRequest(SYNC_URI));
                SYNCED.await(10, TimeUnit.SECONDS);
            }
        } catch (RuntimeException | InterruptedException e) {
            System.out.println("(could not sync with the server's stderr: " + e + ")");
        }
    }

    private static ServerParameters serverParameters() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return ServerParameters.builder(java)
                .args("-cp", classpathWithoutAgents(), FilesMcpServer.class.getName())
                .build();
    }

    /** {@code java.class.path} without jars that declare a {@code Premain-Class} (a -javaagent jar is appended to it). */
    private static String classpathWithoutAgents() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !isAgentJar(Path.of(entry)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static boolean isAgentJar(Path entry) {
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            return jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Premain-Class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The SDK's stdio transport, minus the JVM-option variables a governed parent may carry. */
    private static final class UngovernedStdioTransport extends StdioClientTransport {

        UngovernedStdioTransport(ServerParameters parameters, McpJsonMapper json) {
            super(parameters, json);
        }

        @Override
        protected ProcessBuilder getProcessBuilder() {
            ProcessBuilder builder = super.getProcessBuilder();
            builder.environment().keySet().removeIf(name -> name.equals("JAVA_TOOL_OPTIONS")
                    || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS") || name.startsWith("TOLLGATE_"));
            return builder;
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: SpringAiMcpApp --base-url URL --victim PATH");
        System.exit(2);
    }
}
