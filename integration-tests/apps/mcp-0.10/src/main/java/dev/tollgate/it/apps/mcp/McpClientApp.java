package dev.tollgate.it.apps.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * An ordinary MCP host, unaware of Tollgate: starts {@link FilesMcpServer} as a child process over the SDK's stdio
 * transport, then calls {@code delete_file(victim)} and {@code lookup} k1..k5 through {@code McpSyncClient}.
 * <pre>McpClientApp --victim PATH</pre>
 * Prints {@code CALL <tool> -> error=<isError> <first text>} per call, the server's stderr lines as they come
 * (so {@code TOOL_RAN ...} shows what really ran on the server), then {@code RESULT: done} and exits 0, or
 * {@code EXCEPTION: <class>: <message>} and exits 3.
 * <p>
 * The child gets this JVM's {@code java} and class path, but no {@code -javaagent}, no {@code JAVA_TOOL_OPTIONS} and
 * no agent jar: the server runs ungoverned, as a remote one would.
 */
public final class McpClientApp {

    private static final CountDownLatch SYNCED = new CountDownLatch(1);

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
        ObjectMapper json = new ObjectMapper();
        StdioClientTransport transport = new UngovernedStdioTransport(serverParameters(), json);
        transport.setStdErrorHandler(McpClientApp::relay);
        McpSyncClient client = McpClient.sync(transport)
                .clientInfo(new McpSchema.Implementation("tollgate-it-mcp-host", "1.0.0"))
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
        try {
            client.initialize();
            call(client, "delete_file", Map.of("path", victim));
            for (int k = 1; k <= 5; k++) {
                call(client, "lookup", Map.of("key", "k" + k));
            }
            awaitServerStderr(client);
            System.out.println("RESULT: done");
        } catch (Exception e) {
            awaitServerStderr(client);
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            exit = 3;
        } finally {
            try {
                client.closeGracefully();
            } catch (RuntimeException ignored) {
                // the child is gone either way
            }
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

    /** The child's stderr, line by line, onto our stdout. */
    private static void relay(String line) {
        if ("SYNC".equals(line)) {
            SYNCED.countDown();
            return;
        }
        System.out.println(line);
    }

    /**
     * Stderr is read on its own thread: asks the server to print {@code SYNC} after everything it printed so far,
     * and waits until that line got here, so every {@code TOOL_RAN} marker is on stdout before we exit.
     */
    private static void awaitServerStderr(McpSyncClient client) {
        try {
            if (client.isInitialized()) {
                client.readResource(new McpSchema.ReadResourceRequest(FilesMcpServer.SYNC_URI));
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

        UngovernedStdioTransport(ServerParameters parameters, ObjectMapper json) {
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
        System.err.println("usage: McpClientApp --victim PATH");
        System.exit(2);
    }
}
