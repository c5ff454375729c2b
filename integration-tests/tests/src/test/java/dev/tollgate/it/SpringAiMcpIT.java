package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified Spring AI app (1.x) whose tools are MCP tools: {@code SyncMcpToolCallback}s (spring-ai-mcp, MCP SDK
 * 0.18.3) over a {@code McpSyncClient} to the {@code files} server, a child JVM on stdio that runs ungoverned. One
 * {@code ChatClient} call runs the scripted loop: delete a file, then look up five keys, one per turn.
 *
 * <p>Each logical call crosses two governed frames, Spring AI's {@code ToolCallback.call} and, inside it,
 * {@code McpSyncClient.callTool}: it must be decided once (by the outer, Spring AI frame), stopped before it goes
 * down the pipe, and counted once against the run's limit.
 */
class SpringAiMcpIT {

    private static final String SECRET = "sk-test-SECRET-123";
    private static final String DELETE_CALL = Script.callId(1, 0);
    /** What {@code SyncMcpToolCallbackProvider}'s default name generator calls the server's tools: unprefixed. */
    private static final String TOOLS_LINE = "TOOLS: delete_file,lookup";

    @TempDir
    Path dir;

    private Path victim;

    @BeforeEach
    void victim() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
    }

    private Script deleteThenFiveLookups() {
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        return script.answer("finished").build();
    }

    /** The id of the call that looks up k{n}: turn n+1 (turn 1 is the delete). */
    private static String lookupCall(int n) {
        return Script.callId(n + 1, 0);
    }

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                mode: enforce
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: 3
                    on_exceed: block
                """);
    }

    private ForkedApp.Result runApp(ProviderSimulator simulator, Path policy, Path log) {
        ForkedApp fork = ForkedApp.of(AppModule.SPRING_AI_MCP)
                .args("--base-url", simulator.baseUrl(), "--victim", victim.toString());
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheServerDeletesTheFileAndRunsEveryLookup() {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, null, null);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains(TOOLS_LINE), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the server really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 5; k++) {
                String answer = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(answer.contains("value-of-k" + k), answer);
            }
            assertEquals(7, simulator.turnsServed());
        }
    }

    @Test
    void eachMcpToolCallIsDecidedOnceDeniedBeforeTheServerAndCountedOnce() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy(), log);

            // the app saw an ordinary, successful run
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains(TOOLS_LINE), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(result.stderr().contains(SECRET), "the agent must not print the API key");

            // the denied call never went down the pipe, and the model was told why
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = simulator.toolResult(DELETE_CALL).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);

            // exactly max_calls lookups reached the server: each call counted once, not once per frame
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 3; k++) {
                assertEquals(1, result.countStdout("TOOL_RAN lookup k" + k), result::toString);
                String answer = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(answer.contains("value-of-k" + k), answer);
            }
            for (int k = 4; k <= 5; k++) {
                String limited = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(limited.startsWith("blocked by policy: "), limited);
                assertTrue(limited.contains("limits[0]"), limited);
            }
            assertEquals(7, simulator.turnsServed());

            // one decision per logical call, made by the Spring AI frame; the MCP client frame under it adds none
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(6, toolCalls.size(), entries::toString);
            for (Map<String, Object> call : toolCalls) {
                assertEquals("spring-ai", call.get("framework"), entries::toString);
            }
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "one ChatClient call is one run");
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"), entries::toString);
            assertEquals(true, delete.get("enforced"), entries::toString);
            assertTrue(String.valueOf(delete.get("rule")).startsWith("tools.deny[0]"), entries::toString);
            List<Map<String, Object>> lookups = entries.toolCalls("lookup");
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                    lookups.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertTrue(String.valueOf(lookups.get(3).get("rule")).startsWith("limits[0]"), entries::toString);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow(() -> new AssertionError(entries)).get("limit"));

            // both frames were woven in this JVM: the single decision is not for want of an MCP instrumentation
            List<Map<String, Object>> coverage = entries.events("coverage");
            String woven = String.valueOf(coverage.get(coverage.size() - 1).get("instrumentations"));
            assertTrue(woven.contains("framework=spring-ai"), entries::toString);
            assertTrue(woven.contains("framework=mcp"), entries::toString);

            assertTrue(entries.first("policy.loaded").isPresent(), entries::toString);
            assertEquals(1, entries.events("agent.started").size(), "the child server JVM is not governed\n" + entries);
            Map<String, Object> stopped = entries.only("agent.stopped");
            assertEquals(0, ((Number) stopped.get("suppressed_errors")).intValue(), entries::toString);
            assertFalse(entries.text().contains(victim.getFileName().toString()), "tool arguments must not appear in clear");
            assertFalse(entries.text().contains(SECRET), "the API key must never be logged");
        }
    }
}
