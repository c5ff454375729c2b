package dev.tollgate.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ToolLoopScript;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.tollgate.it.harness.ToolLoopScript.lookupCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified Google ADK app ({@code LlmAgent} + {@code InMemoryRunner}, Gemini model via google-genai) runs a
 * scripted tool loop against the simulator's Gemini API: the model asks to delete a file, then to look up five keys,
 * one per turn. One {@code runner.runAsync(..)} is one ADK invocation, i.e. one run.
 */
class AdkToolIT {

    private static final String SECRET = "test-key-SECRET-123";
    private static final String DELETE_CALL = Script.callId(1, 0);

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    /** What ADK sent back to the model for a scripted call: {@code {result: ..}} or the agent's {@code {error: ..}}. */
    private static JsonNode response(ProviderSimulator simulator, String callId) {
        return simulator.functionResponse(callId)
                .orElseThrow(() -> new AssertionError("no functionResponse for " + callId + " in " + simulator.functionResponses()));
    }

    private Path policy(String mode, String onExceed) throws IOException {
        return policy(mode, onExceed, "run");
    }

    private Path policy(String mode, String onExceed, String scope) throws IOException {
        return Files.writeString(dir.resolve("policy-" + mode + "-" + onExceed + "-" + scope + ".yaml"), """
                version: 1
                mode: %s
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - name: tools-per-run
                    scope: %s
                    tools: "*"
                    max_calls: 3
                    on_exceed: %s
                """.formatted(mode, scope, onExceed));
    }

    private ForkedApp.Result runApp(ProviderSimulator simulator, Path policy, Path log, boolean stream, String... extraArgs) {
        ForkedApp fork = ForkedApp.of(AppModule.GOOGLE_ADK)
                .args("--base-url", simulator.geminiBaseUrl(), "--victim", victim.toString())
                .args(extraArgs);
        if (stream) {
            fork.args("--stream");
        }
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void withoutTheAgentTheModelDeletesTheFileAndRunsEveryLookup(boolean stream) throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, null, null, stream);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals("value-of-k5", response(simulator, lookupCall(5)).path("result").asText(), simulator.functionResponses()::toString);
            assertEquals(7, simulator.turnsServed());
            assertTrue(simulator.requests().get(0).path().startsWith("/v1beta/models/gemini-2.0-flash:"),
                    simulator.requests().get(0)::toString);
            assertEquals(stream, simulator.requests().get(0).streaming());
            assertEquals("<redacted>", simulator.requests().get(0).header("x-goog-api-key"), "google-genai sends the key in a header");
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void deniedToolNeverRunsAndRunLimitRefusesTheFourthCall(boolean stream) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log, stream);

            // the app saw an ordinary, successful run
            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(result.stderr().contains(SECRET), "the agent must not print the API key");
            assertFalse(result.stdout().contains(SECRET), "the agent must not print the API key");
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertNoJvmWarnings(result);

            // the side effect was prevented, and the model was told why, in ADK's {error: ..} convention
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = response(simulator, DELETE_CALL).path("error").asText();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);

            // exactly max_calls lookups ran; later ones were refused by the limit, the conversation went on
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 3; k++) {
                assertEquals("value-of-k" + k, response(simulator, lookupCall(k)).path("result").asText());
            }
            for (int k = 4; k <= 5; k++) {
                String limited = response(simulator, lookupCall(k)).path("error").asText();
                assertTrue(limited.startsWith("blocked by policy: "), limited);
                assertTrue(limited.contains("limits[0]"), limited);
            }
            assertEquals(7, simulator.turnsServed());

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(6, toolCalls.size(), entries::toString);
            for (Map<String, Object> call : toolCalls) {
                assertEquals("google-adk", call.get("framework"), entries::toString);
                assertTrue(String.valueOf(call.get("args_sha256")).matches("[0-9a-f]{64}"), entries::toString);
            }
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(),
                    "one ADK invocation is one run\n" + entries);
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"));
            assertEquals(true, delete.get("enforced"));
            assertTrue(String.valueOf(delete.get("rule")).startsWith("tools.deny[0]"), entries::toString);
            List<Map<String, Object>> lookups = entries.toolCalls("lookup");
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                    lookups.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertTrue(String.valueOf(lookups.get(3).get("rule")).startsWith("limits[0]"), entries::toString);
            Map<String, Object> exceeded = entries.first("limit.exceeded").orElseThrow(() -> new AssertionError(entries));
            assertEquals("tools-per-run", exceeded.get("limit"));
            assertEquals("run", exceeded.get("scope"));
            assertEquals(3, ((Number) exceeded.get("max_calls")).intValue());

            assertCleanLog(entries);
        }
    }

    @Test
    void parallelFunctionCallsInOneTurnAreCountedOneByOne() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script script = Script.builder()
                .callTools("lookup", "{\"key\":\"k1\"}", "lookup", "{\"key\":\"k2\"}", "lookup", "{\"key\":\"k3\"}",
                        "lookup", "{\"key\":\"k4\"}", "lookup", "{\"key\":\"k5\"}")
                .answer("finished")
                .build();
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log, false);

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), "one model turn, five calls: the limit counts calls\n" + result);
            assertEquals(5, simulator.functionResponses().size(), simulator.functionResponses()::toString);
            long refused = simulator.functionResponses().stream()
                    .filter(r -> r.response().path("error").asText().startsWith("blocked by policy: limits[0]")).count();
            assertEquals(2, refused, simulator.functionResponses()::toString);
            assertEquals(2, simulator.turnsServed());
            assertCleanLog(EnforcementLog.read(log));
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void haltLimitStopsTheWholeRunWithLimitExceededException(boolean stream) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "halt"), log, stream);

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.LimitExceededException: "), exception);
            assertTrue(exception.contains("tools-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertTrue(simulator.functionResponse(lookupCall(4)).isEmpty(), "the run stopped before the model saw a 4th result");
            assertEquals(5, simulator.turnsServed(), "turn 5 asked for k4, which halted the run: no model call after it");

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow().get("limit"));
            assertCleanLog(entries);
        }
    }

    @Test
    void monitorModeBlocksNothingButLogsWhatItWouldHaveDenied() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("monitor", "block"), log, false);

            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(Files.exists(victim), "monitor mode lets the tool run");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertFalse(response(simulator, DELETE_CALL).has("error"), simulator.functionResponses()::toString);

            EnforcementLog entries = EnforcementLog.read(log);
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"), entries::toString);
            assertEquals(false, delete.get("enforced"), entries::toString);
            assertEquals("google-adk", delete.get("framework"));
            assertCleanLog(entries);
        }
    }

    /**
     * Two invocations of one runner, two lookups each: a run limit counts each invocation afresh; a session limit
     * counts across invocations of the same ADK session, and not across sessions.
     */
    @ParameterizedTest(name = "scope={0}, session per run={1}, lookups run={2}")
    @CsvSource({"run, false, 4", "session, false, 3", "session, true, 4"})
    void runAndSessionLimitsFollowAdkInvocationsAndSessions(String scope, boolean sessionPerRun, int expectedRan) throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script script = Script.builder()
                .callTool("lookup", "key", "k1").callTool("lookup", "key", "k2").answer("first")
                .callTool("lookup", "key", "k3").callTool("lookup", "key", "k4").answer("second")
                .build();
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            ForkedApp.Result result = sessionPerRun
                    ? runApp(simulator, policy("enforce", "block", scope), log, false, "--runs", "2", "--session-per-run")
                    : runApp(simulator, policy("enforce", "block", scope), log, false, "--runs", "2");

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(List.of("RESULT: first", "RESULT: second"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("RESULT: ")).toList(), result::toString);
            assertEquals(expectedRan, result.countStdout("TOOL_RAN lookup"), result::toString);
            String k4 = Script.callId(5, 0);
            JsonNode k4Response = response(simulator, k4);
            if (expectedRan == 4) {
                assertEquals("value-of-k4", k4Response.path("result").asText(), k4Response::toString);
            } else {
                assertTrue(k4Response.path("error").asText().startsWith("blocked by policy: limits[0]"), k4Response::toString);
            }

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(4, toolCalls.size(), entries::toString);
            assertEquals(2, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "two invocations, two runs\n" + entries);
            assertEquals(sessionPerRun ? 2 : 1, toolCalls.stream().map(c -> c.get("session")).distinct().count(), entries::toString);
            assertCleanLog(entries);
        }
    }

    /**
     * The root agent delegates to a sub-agent through ADK's {@code AgentTool} ({@code helper}), which runs its own
     * inner {@code InMemoryRunner} (new invocation id, new session) for the request; the sub-agent then calls
     * {@code lookup} five times. All of it is one top-level invocation, so the run limit (3 on {@code *}) should
     * count the helper call and the nested lookups together. (Before the agent bound the sub-agent's runner to the
     * dispatching run, the inner invocation was a run of its own: 4 calls ran where the policy allows 3.)
     */
    @Test
    void toolCallsInsideAnAgentToolBelongToTheTopLevelRun() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script.Builder builder = Script.builder().callTool("helper", "request", "look up k1 to k5");
        for (int k = 1; k <= 5; k++) {
            builder.callTool("lookup", "key", "k" + k);
        }
        Script script = builder.answer("helper done").answer("finished").build();
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log, false, "--delegate");

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(6, toolCalls.size(), entries::toString);
            assertEquals("helper", toolCalls.get(0).get("tool"), entries::toString);
            assertEquals(2, result.countStdout("TOOL_RAN lookup"),
                    "helper + 2 lookups = the run's 3 calls; lookups k3..k5 refused\n" + result + entries);
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(),
                    "one top-level ADK invocation is one run, AgentTool's inner invocation included\n" + entries);
            assertCleanLog(entries);
        }
    }

    /**
     * ADK's MCP tools ({@code McpToolset} over stdio to a real MCP server in a child JVM) call the server when the
     * {@code Single} that {@code runAsync} returned is subscribed, after the tool's dispatch frame: the MCP client's
     * {@code callTool} inside is still the same logical call, decided and counted once under the ADK tool's name.
     */
    @Test
    void anAdkMcpToolCallIsDecidedAndCountedOnce() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log, false,
                    "--mcp-server-cp", AppModule.MCP.classpath());

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertTrue(Files.exists(victim), "the denied MCP tool never reached the server");
            for (int k = 1; k <= 3; k++) {
                assertTrue(response(simulator, lookupCall(k)).toString().contains("value-of-k" + k),
                        simulator.functionResponses()::toString);
            }
            for (int k = 4; k <= 5; k++) {
                String limited = response(simulator, lookupCall(k)).path("error").asText();
                assertTrue(limited.startsWith("blocked by policy: limits[0]"), limited);
            }

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(List.of("delete_file", "lookup", "lookup", "lookup", "lookup", "lookup"),
                    toolCalls.stream().map(c -> c.get("tool")).toList(), "one line per call, none for the MCP client\n" + entries);
            assertEquals(List.of("deny", "allow", "allow", "allow", "deny", "deny"),
                    toolCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertCleanLog(entries);
        }
    }

    /** No class-data-sharing or {@code sun.misc.Unsafe} warnings from the agent on the host's stderr. */
    private static void assertNoJvmWarnings(ForkedApp.Result result) {
        assertEquals(0, result.countStderrMatching(java.util.regex.Pattern.compile("(?i)(VM warning|^WARNING: )")),
                result::toString);
    }

    /** Every run: no advice error was swallowed, no argument and no API key leaked into the log. */
    private void assertCleanLog(EnforcementLog entries) {
        assertTrue(entries.first("policy.loaded").isPresent(), entries::toString);
        Map<String, Object> stopped = entries.only("agent.stopped");
        assertEquals(0, ((Number) stopped.get("suppressed_errors")).intValue(), entries::toString);
        assertFalse(entries.text().contains(victim.getFileName().toString()), "tool arguments must not appear in clear");
        assertFalse(entries.text().contains(SECRET), "the API key must never be logged");
    }
}
