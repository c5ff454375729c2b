package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified MCP Java SDK host (latest 1.x and 0.10.0; {@code McpSyncClient}, stdio transport) calls tools on
 * a real MCP server named {@code files} that it starts as a child JVM. Only the host JVM carries the agent; the
 * server runs ungoverned, so whatever the policy stops must be stopped on the client side, before the request goes
 * down the pipe.
 * The host calls {@code delete_file(victim)}, then {@code lookup} k1..k5; there is no framework run here, so the
 * limit has {@code scope: process}.
 */
class McpClientIT {

    @TempDir
    Path dir;

    private Path victim;

    @BeforeEach
    void victim() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
    }

    private Path policy(String mode, String denyGlob, String onExceed) throws IOException {
        return Files.writeString(dir.resolve("policy-" + System.nanoTime() + ".yaml"), """
                version: 1
                mode: %s
                tools:
                  default: allow
                  deny: ["%s"]
                  mcp_servers:
                    # the server is named by the connection the host configured, not by its serverInfo
                    "stdio:* dev.tollgate.it.apps.mcp.FilesMcpServer": files
                limits:
                  - name: lookups-per-process
                    scope: process
                    tools: "lookup"
                    max_calls: 3
                    on_exceed: %s
                """.formatted(mode, denyGlob, onExceed));
    }

    private ForkedApp.Result runApp(AppModule app, Path policy, Path log) {
        ForkedApp fork = ForkedApp.of(app).args("--victim", victim.toString());
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    static Stream<Arguments> appsAndDenyGlobs() {
        return Stream.of(AppModule.MCP, AppModule.MCP_0_10).flatMap(app ->
                Stream.of("delete_*", "files/delete_*", "files/*_file").map(glob -> Arguments.of(app, glob)));
    }

    /** The host's {@code CALL <tool> -> error=<isError> <text>} lines, in order. */
    private static List<String> calls(ForkedApp.Result result) {
        return result.stdoutLines().stream().filter(l -> l.startsWith("CALL ")).toList();
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"MCP", "MCP_0_10"})
    @WithoutTheAgent
    void withoutTheAgentTheServerDeletesTheFileAndAnswersEveryLookup(AppModule app) {
        ForkedApp.Result result = runApp(app, null, null);

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("RESULT: done"), result::toString);
        assertFalse(Files.exists(victim), "without the agent the server really deletes the file");
        assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
        assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
        List<String> calls = calls(result);
        assertEquals(6, calls.size(), result::toString);
        assertEquals("CALL delete_file -> error=false deleted " + victim, calls.get(0));
        for (int k = 1; k <= 5; k++) {
            assertEquals("CALL lookup -> error=false value-of-k" + k, calls.get(k), result::toString);
        }
    }

    /** A bare glob matches the tool of any server; a qualified one only that server's. */
    @ParameterizedTest
    @MethodSource("appsAndDenyGlobs")
    void deniedToolNeverReachesTheServerAndTheProcessLimitRefusesTheFourthLookup(AppModule app, String denyGlob)
            throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        ForkedApp.Result result = runApp(app, policy("enforce", denyGlob, "block"), log);

        // the host saw an ordinary session: every call answered, some with isError=true
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("RESULT: done"), result::toString);
        assertEquals(0, result.countStderrMatching(java.util.regex.Pattern.compile("(?i)(VM warning|^WARNING: )")),
                result::toString);

        // the denied call never went down the pipe
        assertTrue(Files.exists(victim), "the denied tool must not run");
        assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
        List<String> calls = calls(result);
        assertEquals(6, calls.size(), result::toString);
        assertTrue(calls.get(0).startsWith("CALL delete_file -> error=true blocked by policy: tools.deny[0]"),
                calls.get(0));
        assertTrue(calls.get(0).contains("files/delete_file"), calls.get(0));

        // exactly max_calls lookups reached the server; the 4th and 5th were answered with an error by the client
        assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
        for (int k = 1; k <= 3; k++) {
            assertEquals("CALL lookup -> error=false value-of-k" + k, calls.get(k), result::toString);
            assertEquals(1, result.countStdout("TOOL_RAN lookup k" + k), result::toString);
        }
        for (int k = 4; k <= 5; k++) {
            assertTrue(calls.get(k).startsWith("CALL lookup -> error=true blocked by policy: limits[0]"), calls.get(k));
        }

        EnforcementLog entries = EnforcementLog.read(log);
        List<Map<String, Object>> toolCalls = entries.events("tool.call");
        assertEquals(6, toolCalls.size(), entries::toString);
        for (Map<String, Object> call : toolCalls) {
            assertEquals("mcp", call.get("framework"), entries::toString);
            assertTrue(String.valueOf(call.get("args_sha256")).matches("[0-9a-f]{64}"), entries::toString);
        }
        Map<String, Object> delete = entries.toolCalls("files/delete_file").get(0);
        assertEquals("deny", delete.get("decision"), entries::toString);
        assertEquals(true, delete.get("enforced"), entries::toString);
        assertTrue(String.valueOf(delete.get("rule")).startsWith("tools.deny[0]"), entries::toString);
        List<Map<String, Object>> lookups = entries.toolCalls("files/lookup");
        assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                lookups.stream().map(c -> c.get("decision")).toList(), entries::toString);
        assertTrue(String.valueOf(lookups.get(3).get("rule")).startsWith("limits[0]"), entries::toString);
        Map<String, Object> exceeded = entries.first("limit.exceeded").orElseThrow(() -> new AssertionError(entries));
        assertEquals("lookups-per-process", exceeded.get("limit"));
        assertEquals("process", exceeded.get("scope"));
        assertEquals(3, ((Number) exceeded.get("max_calls")).intValue());
        assertCleanLog(entries);
    }

    /**
     * The agent comes in through JAVA_TOOL_OPTIONS, which a child process would inherit: the host strips it from the
     * server's environment, so there is still exactly one governed JVM and the server is not governed twice.
     */
    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"MCP", "MCP_0_10"})
    void agentFromJavaToolOptionsGovernsTheHostOnly(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        Path policy = policy("enforce", "delete_*", "block");
        ForkedApp.Result result = ForkedApp.of(app).args("--victim", victim.toString())
                .env("JAVA_TOOL_OPTIONS", "-javaagent:" + AgentJar.requireImplemented() + "=policy="
                        + policy.toAbsolutePath() + ",log=" + log.toAbsolutePath())
                .run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(Files.exists(victim), "the denied tool must not run");
        assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
        EnforcementLog entries = EnforcementLog.read(log);
        assertEquals(6, entries.events("tool.call").size(), entries::toString);
        assertCleanLog(entries);
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"MCP", "MCP_0_10"})
    void aGlobQualifiedWithAnotherServerDoesNotDenyThisOne(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        ForkedApp.Result result = runApp(app, policy("enforce", "other/delete_*", "block"), log);

        assertEquals(0, result.exitCode(), result::toString);
        assertFalse(Files.exists(victim), "other/delete_* must not match files/delete_file");
        assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
        assertEquals("allow", EnforcementLog.read(log).toolCalls("files/delete_file").get(0).get("decision"));
        assertCleanLog(EnforcementLog.read(log));
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"MCP", "MCP_0_10"})
    void haltLimitMakesCallToolThrowLimitExceededException(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        ForkedApp.Result result = runApp(app, policy("enforce", "delete_*", "halt"), log);

        assertEquals(3, result.exitCode(), result::toString);
        String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                .orElseThrow(() -> new AssertionError(result));
        assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.LimitExceededException: "), exception);
        assertTrue(exception.contains("lookups-per-process"), exception);
        assertTrue(Files.exists(victim), "the denied tool must not run");
        assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
        assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
        assertEquals(4, calls(result).size(), "delete + 3 lookups answered, the 4th threw\n" + result);

        EnforcementLog entries = EnforcementLog.read(log);
        Map<String, Object> exceeded = entries.first("limit.exceeded").orElseThrow(() -> new AssertionError(entries));
        assertEquals("lookups-per-process", exceeded.get("limit"));
        assertEquals("halt", exceeded.get("on_exceed"));
        assertCleanLog(entries);
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"MCP", "MCP_0_10"})
    void monitorModeLetsEveryCallThroughButLogsWhatItWouldHaveDenied(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        ForkedApp.Result result = runApp(app, policy("monitor", "delete_*", "block"), log);

        assertEquals(0, result.exitCode(), result::toString);
        assertFalse(Files.exists(victim), "monitor mode lets the tool run");
        assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
        assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
        assertTrue(calls(result).stream().noneMatch(c -> c.contains("error=true")), result::toString);

        EnforcementLog entries = EnforcementLog.read(log);
        Map<String, Object> delete = entries.toolCalls("files/delete_file").get(0);
        assertEquals("deny", delete.get("decision"), entries::toString);
        assertEquals(false, delete.get("enforced"), entries::toString);
        assertEquals("mcp", delete.get("framework"));
        assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                entries.toolCalls("files/lookup").stream().map(c -> c.get("decision")).toList(), entries::toString);
        assertCleanLog(entries);
    }

    /**
     * No advice error was swallowed, arguments never appear in clear, and only the host was governed: one
     * agent.started / agent.stopped pair (the child server JVM got neither -javaagent nor JAVA_TOOL_OPTIONS).
     */
    private void assertCleanLog(EnforcementLog entries) {
        assertTrue(entries.first("policy.loaded").isPresent(), entries::toString);
        assertEquals(1, entries.events("agent.started").size(), entries::toString);
        Map<String, Object> stopped = entries.only("agent.stopped");
        assertEquals(0, ((Number) stopped.get("suppressed_errors")).intValue(), entries::toString);
        assertFalse(entries.text().contains(victim.getFileName().toString()),
                "tool arguments must not appear in clear");
        // the coverage report names the SDK's real version on both lines (a split and a single-jar SDK)
        List<Map<String, Object>> coverage = entries.events("coverage");
        Object woven = coverage.get(coverage.size() - 1).get("instrumentations");
        assertTrue(String.valueOf(woven).contains("framework=mcp"), entries::toString);
        assertFalse(String.valueOf(woven).contains("version=unknown"), entries::toString);
    }
}
