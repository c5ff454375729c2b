package dev.tollgate.it;

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
 * An unmodified Koog app (a graph {@code AIAgent} with Koog's default single-run strategy, an annotated
 * {@code ToolSet}, Koog's own OpenAI client) runs a scripted tool loop against the simulator's Chat Completions API:
 * the model asks to delete a file, then to look up five keys, one per turn. One {@code AIAgent.run(..)} is one run.
 */
class KoogToolIT {

    private static final String SECRET = "test-key-SECRET-123";
    private static final String DELETE_CALL = Script.callId(1, 0);

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    /** Two runs of one agent, {@code lookups} lookups each (turn after turn), then an answer per run. */
    private Script twoRuns(int lookups) throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script.Builder script = Script.builder();
        for (int run = 1; run <= 2; run++) {
            for (int k = 1; k <= lookups; k++) {
                script.callTool("lookup", "key", "r" + run + "k" + k);
            }
            script.answer("run " + run + " done");
        }
        return script.build();
    }

    /** Koog serialises a tool's {@code String} result as JSON: the model reads it with its quotes. */
    private static String lookupResult(String key) {
        return "\"value-of-" + key + "\"";
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

    private ForkedApp.Result runApp(ProviderSimulator simulator, Path policy, Path log, String... extraArgs) {
        // Koog's OpenAI client appends v1/chat/completions to the root it is given
        ForkedApp fork = ForkedApp.of(AppModule.KOOG)
                .args("--base-url", simulator.ollamaBaseUrl(), "--victim", victim.toString())
                .args(extraArgs);
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheModelDeletesTheFileAndRunsEveryLookup() throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, null, null);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals(lookupResult("k5"), simulator.toolResult(lookupCall(5)).orElseThrow(), simulator.toolResults()::toString);
            assertEquals(7, simulator.turnsServed());
            assertEquals(ProviderSimulator.CHAT_COMPLETIONS_PATH, simulator.requests().get(0).path());
        }
    }

    @Test
    void deniedToolNeverRunsAndRunLimitRefusesTheFourthCall() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log);

            // the app saw an ordinary, successful run
            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(result.stderr().contains(SECRET), "the agent must not print the API key");
            assertFalse(result.stdout().contains(SECRET), "the agent must not print the API key");
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);

            // the side effect was prevented, and the model read why, as Koog hands it a failed tool's result
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = simulator.toolResult(DELETE_CALL).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);

            // exactly max_calls lookups ran; later ones were refused by the limit, the conversation went on
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 3; k++) {
                assertEquals(lookupResult("k" + k), simulator.toolResult(lookupCall(k)).orElseThrow());
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
                assertEquals("koog", call.get("framework"), entries::toString);
                assertTrue(String.valueOf(call.get("args_sha256")).matches("[0-9a-f]{64}"), entries::toString);
            }
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "one AIAgent.run is one run\n" + entries);
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"));
            assertEquals(true, delete.get("enforced"));
            assertTrue(String.valueOf(delete.get("rule")).startsWith("tools.deny[0]"), entries::toString);
            List<Map<String, Object>> lookups = entries.toolCalls("lookup");
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                    lookups.stream().map(c -> c.get("decision")).toList(), entries::toString);
            Map<String, Object> exceeded = entries.first("limit.exceeded").orElseThrow(() -> new AssertionError(entries));
            assertEquals("tools-per-run", exceeded.get("limit"));
            assertEquals("run", exceeded.get("scope"));
            // Koog's model calls, through its default HTTP engine (Ktor on Apache HttpClient 5's async client), are
            // metered: one llm.call per turn, from the provider's usage, in the run of the tools (Ktor sends them
            // from a Dispatchers.IO coroutine, which carries the run)
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(7, llmCalls.size(), entries::toString);
            for (Map<String, Object> call : llmCalls) {
                assertEquals("apache-httpclient5-async", call.get("client"), entries::toString);
                assertEquals("allow", call.get("decision"), entries::toString);
                assertEquals("reported", call.get("usage"), entries::toString);
                assertEquals("gpt-4o", call.get("model"), entries::toString);
                assertEquals(toolCalls.get(0).get("run"), call.get("run"), "the model calls are in the run\n" + entries);
                assertEquals(toolCalls.get(0).get("session"), call.get("session"), entries::toString);
            }

            assertCleanLog(entries);
        }
    }

    /**
     * An LLM-call limit for the process ({@code llm: "*"}, 3 calls) holds for Koog's model calls, which go out
     * through Ktor's Apache 5 engine on the async client: the 4th is refused before it leaves the JVM, with the
     * OpenAI-format error Koog's client reports, and the agent's run fails; the simulator serves 3 turns. (Without
     * the agent the same app runs all 7: {@code withoutTheAgentTheModelDeletesTheFileAndRunsEveryLookup}.)
     */
    @Test
    void anLlmCallLimitStopsKoogsFourthModelCall() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            Path policy = Files.writeString(dir.resolve("policy-llm-limit.yaml"), """
                    version: 1
                    tools:
                      default: allow
                      deny: ["delete_*"]
                    limits:
                      - { name: koog-model-calls, scope: process, llm: "*", max_calls: 3 }
                    """);
            ForkedApp.Result result = runApp(simulator, policy, log);

            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.stdout().contains("EXCEPTION: ai.koog.prompt.executor.clients.LLMClientException"),
                    result::toString);
            // Koog's client reports the provider-format refusal: its status and body, which names the limit
            assertTrue(result.stdout().contains("Status code: 402"), result::toString);
            assertTrue(result.stdout().contains("limit \\\"koog-model-calls\\\" allows 3 LLM calls per process"),
                    result::toString);
            assertEquals(3, simulator.turnsServed(), "the 4th model call never reached the provider");
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(2, result.countStdout("TOOL_RAN lookup"), result::toString);

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(List.of("allow", "allow", "allow", "deny"),
                    llmCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals("koog-model-calls", entries.first("limit.exceeded").orElseThrow().get("limit"));
            assertCleanLog(entries);
        }
    }

    /**
     * An LLM-call limit per run holds for Koog's model calls because they are counted in the run: Ktor sends each
     * from a {@code Dispatchers.IO} coroutine, which carries the run the agent's model call started in. Two
     * {@code AIAgent.run} calls, at most 3 model calls each: the first run's 4th is refused (the run fails with the
     * 402 Koog reports); the second run starts counting afresh and ends with an answer after 2. Counted without the
     * run (each call a run of its own), no call would be refused.
     */
    @Test
    void anLlmCallLimitPerRunCountsKoogsModelCallsInTheirRun() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(twoRuns(4))) {
            Path policy = Files.writeString(dir.resolve("policy-llm-per-run.yaml"), """
                    version: 1
                    limits:
                      - { name: model-calls-per-run, scope: run, llm: "*", max_calls: 3 }
                    """);
            ForkedApp.Result result = runApp(simulator, policy, log, "--runs", "2");

            assertEquals(3, result.exitCode(), result::toString);
            assertTrue(result.stdout().contains("limit \\\"model-calls-per-run\\\" allows 3 LLM calls per run"),
                    result::toString);
            // run 1: turns 1-3 (lookups r1k1-r1k3), its 4th model call refused; run 2: turns 4 and 5 (lookup r1k4,
            // then the answer the script wrote for run 1)
            assertEquals(List.of("RESULT: run 1 done"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("RESULT: ")).toList(), result::toString);
            assertEquals(5, simulator.turnsServed(), result::toString);
            assertEquals(4, result.countStdout("TOOL_RAN lookup"), result::toString);

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(List.of("allow", "allow", "allow", "deny", "allow", "allow"),
                    llmCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            List<Object> runs = llmCalls.stream().map(c -> c.get("run")).toList();
            assertEquals(1, runs.subList(0, 4).stream().distinct().count(), entries::toString);
            assertEquals(1, runs.subList(4, 6).stream().distinct().count(), entries::toString);
            assertFalse(runs.get(0).equals(runs.get(4)), "two AIAgent.run calls, two runs\n" + entries);
            assertTrue(runs.stream().allMatch(java.util.Objects::nonNull), entries::toString);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(runs.get(0), toolCalls.get(0).get("run"), "model and tool calls share the run\n" + entries);
            assertEquals(runs.get(4), toolCalls.get(toolCalls.size() - 1).get("run"), entries::toString);
            assertCleanLog(entries);
        }
    }

    @Test
    void haltLimitStopsTheWholeRunWithLimitExceededException() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "halt"), log);

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.LimitExceededException: "), exception);
            assertTrue(exception.contains("tools-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertTrue(simulator.toolResult(lookupCall(4)).isEmpty(), "the run stopped before the model saw a 4th result");
            assertEquals(5, simulator.turnsServed(), "turn 5 asked for k4, which halted the run: no model call after it");

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow().get("limit"));
            assertCleanLog(entries);
        }
    }

    /**
     * Two {@code AIAgent.run} calls on one agent, four lookups each: without the agent all eight run; with a run limit
     * of 3, each run's fourth lookup is refused and the second run starts counting afresh.
     */
    @Test
    @WithoutTheAgent
    void withoutTheAgentBothRunsRunEveryLookup() throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(twoRuns(4))) {
            ForkedApp.Result result = runApp(simulator, null, null, "--runs", "2");

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(List.of("RESULT: run 1 done", "RESULT: run 2 done"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("RESULT: ")).toList(), result::toString);
            assertEquals(8, result.countStdout("TOOL_RAN lookup"), result::toString);
        }
    }

    @Test
    void aRunLimitCountsEachAgentRunAfresh() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(twoRuns(4))) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "block"), log, "--runs", "2");

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(List.of("RESULT: run 1 done", "RESULT: run 2 done"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("RESULT: ")).toList(), result::toString);
            assertEquals(6, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int run = 1; run <= 2; run++) {
                for (int k = 1; k <= 3; k++) {
                    assertEquals(1, result.countStdout("TOOL_RAN lookup r" + run + "k" + k), result::toString);
                }
                assertEquals(0, result.countStdout("TOOL_RAN lookup r" + run + "k4"), result::toString);
            }
            // run 1: turns 1-5 (k4 is turn 4); run 2: turns 6-10 (k4 is turn 9)
            for (int turn : new int[] {4, 9}) {
                String limited = simulator.toolResult(Script.callId(turn, 0)).orElseThrow();
                assertTrue(limited.startsWith("blocked by policy: limits[0]"), limited);
            }

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(8, toolCalls.size(), entries::toString);
            assertEquals(2, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "two AIAgent.run calls, two runs\n" + entries);
            assertEquals(List.of("allow", "allow", "allow", "deny", "allow", "allow", "allow", "deny"),
                    toolCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertCleanLog(entries);
        }
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
