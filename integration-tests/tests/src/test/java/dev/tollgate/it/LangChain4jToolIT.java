package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ToolLoopScript;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
 * An unmodified LangChain4j AiServices app (latest and oldest supported 1.x) runs a scripted tool loop against the
 * provider simulator: the model asks to delete a file, then to look up five keys, one per turn.
 */
class LangChain4jToolIT {

    private static final String SECRET = "sk-test-SECRET-123";
    private static final String DELETE_CALL = Script.callId(1, 0);

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    private Path policy(String mode, String onExceed) throws IOException {
        return Files.writeString(dir.resolve("policy-" + mode + "-" + onExceed + ".yaml"), """
                version: 1
                mode: %s
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: 3
                    on_exceed: %s
                """.formatted(mode, onExceed));
    }

    private ForkedApp.Result runApp(AppModule app, ProviderSimulator simulator, Path policy, Path log, boolean stream) {
        ForkedApp fork = ForkedApp.of(app).args("--base-url", simulator.baseUrl(), "--victim", victim.toString());
        if (stream) {
            fork.args("--stream");
        }
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    @WithoutTheAgent
    void withoutTheAgentTheModelDeletesTheFileAndRunsEveryLookup(AppModule app) throws IOException {
        assertUngovernedRun(app, false);
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    @WithoutTheAgent
    void withoutTheAgentAStreamingRunAlsoDeletesTheFile(AppModule app) throws IOException {
        assertUngovernedRun(app, true);
    }

    private void assertUngovernedRun(AppModule app, boolean stream) throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, simulator, null, null, stream);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals("value-of-k5", simulator.toolResult(lookupCall(5)).orElseThrow());
            assertEquals(7, simulator.turnsServed());
            assertEquals(stream, simulator.requests().get(0).streaming());
        }
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    void deniedToolNeverRunsAndRunLimitRefusesTheFourthCall(AppModule app) throws IOException {
        assertEnforcedRun(app, false);
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    void streamingRunIsGovernedTheSameWay(AppModule app) throws IOException {
        assertEnforcedRun(app, true);
    }

    private void assertEnforcedRun(AppModule app, boolean stream) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, simulator, policy("enforce", "block"), log, stream);

            // the app saw an ordinary, successful run
            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(result.stderr().contains(SECRET), "the agent must not print the API key");
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertNoJvmWarnings(result);

            // the side effect was prevented, and the model was told why
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = simulator.toolResult(DELETE_CALL).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);

            // exactly max_calls lookups ran; later ones were refused by the limit, the conversation went on
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 3; k++) {
                assertEquals("value-of-k" + k, simulator.toolResult(lookupCall(k)).orElseThrow());
            }
            for (int k = 4; k <= 5; k++) {
                String limited = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(limited.startsWith("blocked by policy: "), limited);
                assertTrue(limited.contains("limits[0]"), limited);
            }
            assertEquals(7, simulator.turnsServed());

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(6, toolCalls.size(), entries::toString);
            for (Map<String, Object> call : toolCalls) {
                assertEquals("langchain4j", call.get("framework"), entries::toString);
                assertTrue(String.valueOf(call.get("args_sha256")).matches("[0-9a-f]{64}"), entries::toString);
            }
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "one AI-service call is one run");
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

            // the run's cost is one line: written once, after its last LLM call settled
            Map<String, Object> summary = entries.only("run.summary");
            assertEquals(toolCalls.get(0).get("run"), summary.get("run"));
            assertEquals(6, ((Number) summary.get("tool_calls")).intValue(), entries::toString);
            assertEquals(3, ((Number) summary.get("refusals")).intValue(), "the delete and two lookups");
            assertEquals(entries.events("llm.call").size(), ((Number) summary.get("llm_calls")).intValue(),
                    entries::toString);
            assertEquals(false, summary.get("halted"));
            long input = entries.events("llm.call").stream()
                    .mapToLong(e -> ((Number) e.getOrDefault("input_tokens", 0)).longValue()).sum();
            assertEquals(input, ((Number) summary.get("input_tokens")).longValue(), entries::toString);

            assertCleanLog(entries);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    void parallelToolCallsInOneTurnAreCountedOneByOne(AppModule app) throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script script = Script.builder()
                .callTools("lookup", "{\"key\":\"k1\"}", "lookup", "{\"key\":\"k2\"}", "lookup", "{\"key\":\"k3\"}",
                        "lookup", "{\"key\":\"k4\"}", "lookup", "{\"key\":\"k5\"}")
                .answer("finished")
                .build();
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            ForkedApp.Result result = runApp(app, simulator, policy("enforce", "block"), log, false);

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), "one model turn, five calls: the limit counts calls\n" + result);
            for (int i = 3; i < 5; i++) {
                String limited = simulator.toolResult(Script.callId(1, i)).orElseThrow();
                assertTrue(limited.startsWith("blocked by policy: limits[0]"), limited);
            }
            assertEquals(2, simulator.turnsServed());
            assertCleanLog(EnforcementLog.read(log));
        }
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    void haltLimitStopsTheWholeRunWithLimitExceededException(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, simulator, policy("enforce", "halt"), log, false);

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.LimitExceededException: "), exception);
            assertTrue(exception.contains("tools-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertTrue(simulator.toolResult(lookupCall(4)).isEmpty(), "the run stopped before the model saw a 4th result");

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow().get("limit"));
            assertEquals(true, entries.only("run.summary").get("halted"), entries::toString);
            assertCleanLog(entries);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class, names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0"})
    void monitorModeBlocksNothingButLogsWhatItWouldHaveDenied(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, simulator, policy("monitor", "block"), log, false);

            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(Files.exists(victim), "monitor mode lets the tool run");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertFalse(simulator.toolResult(DELETE_CALL).orElseThrow().startsWith("blocked by policy"));

            EnforcementLog entries = EnforcementLog.read(log);
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"), entries::toString);
            assertEquals(false, delete.get("enforced"), entries::toString);
            assertEquals("langchain4j", delete.get("framework"));
            assertCleanLog(entries);
        }
    }

    /**
     * The agent leaves the host's stderr as it was apart from its own [tollgate] lines: no class-data-sharing
     * warning from a boot class-path append, no sun.misc.Unsafe deprecation warning (JDK 24+).
     */
    private static void assertNoJvmWarnings(ForkedApp.Result result) {
        assertEquals(0, result.countStderrMatching(java.util.regex.Pattern.compile("(?i)(VM warning|^WARNING: )")),
                result::toString);
    }

    /** Every run: no advice error was swallowed, no argument and no API key leaked into the log. */
    private void assertCleanLog(EnforcementLog entries) {
        assertTrue(entries.first("policy.loaded").isPresent(), entries::toString);
        Map<String, Object> stopped = entries.only("agent.stopped");
        assertEquals(0, ((Number) stopped.get("suppressed_errors")).intValue(), entries::toString);
        Map<String, Object> ready = entries.only("agent.ready"); // the start-up cost, measured in every run
        for (String field : List.of("guard_ms", "weave_setup_ms", "retransform_ms", "app_blocked_ms", "blocked_calls")) {
            assertTrue(((Number) ready.get(field)).longValue() >= 0, field + " in " + ready);
        }
        assertTrue(((Number) ready.get("blocked_class_loads")).intValue() >= 0, ready::toString);
        assertFalse(entries.text().contains(victim.getFileName().toString()), "tool arguments must not appear in clear");
        assertFalse(entries.text().contains(SECRET), "the API key must never be logged");
    }
}
