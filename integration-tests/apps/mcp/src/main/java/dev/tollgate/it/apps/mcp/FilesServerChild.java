package dev.tollgate.it.apps.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;

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
 * {@link FilesMcpServer} as a child JVM over the SDK's stdio transport, for the host apps. The child gets this
 * JVM's {@code java} and class path, but no {@code -javaagent}, no {@code JAVA_TOOL_OPTIONS} and no agent jar: the
 * server runs ungoverned, as a remote one would. Its stderr lines ({@code TOOL_RAN ...}) are relayed to our stdout.
 */
public final class FilesServerChild {

    private final CountDownLatch synced = new CountDownLatch(1);

    /** A client connected to a new child server (not initialized yet). */
    public McpSyncClient connect(String clientName) {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        StdioClientTransport transport = new UngovernedStdioTransport(serverParameters(), json);
        transport.setStdErrorHandler(this::relay);
        return McpClient.sync(transport)
                .clientInfo(new McpSchema.Implementation(clientName, "1.0.0"))
                .requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
    }

    /**
     * Stderr is read on its own thread: asks the server to print {@code SYNC} after everything it printed so far,
     * and waits until that line got here, so every {@code TOOL_RAN} marker is on stdout before we exit.
     */
    public void awaitStderr(McpSyncClient client) {
        try {
            if (client.isInitialized()) {
                client.readResource(new McpSchema.ReadResourceRequest(FilesMcpServer.SYNC_URI));
                synced.await(10, TimeUnit.SECONDS);
            }
        } catch (RuntimeException | InterruptedException e) {
            System.out.println("(could not sync with the server's stderr: " + e + ")");
        }
    }

    /** Closes the client; the child is gone either way. */
    public static void close(McpSyncClient client) {
        try {
            client.closeGracefully();
        } catch (RuntimeException ignored) {
            // the child is gone either way
        }
    }

    /** The child's stderr, line by line, onto our stdout. */
    private void relay(String line) {
        if ("SYNC".equals(line)) {
            synced.countDown();
            return;
        }
        System.out.println(line);
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
}
