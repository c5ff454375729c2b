package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ToolLoopScript;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
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
 * An unmodified Embabel app (Spring Boot with Embabel's agent platform, one {@code @Agent} whose {@code @Action} runs
 * Embabel's tool loop over {@code @LlmTool} methods, a Spring AI {@code OpenAiChatModel}) runs a scripted tool loop
 * against the simulator's Chat Completions API: the model asks to delete a file, then to look up five keys, one per
 * turn. One agent process ({@code AgentInvocation.invoke}) is one run. Embabel is Java 21 bytecode: the app is forked
 * on the JDK {@code -Dit.java21.home} names (default: the Temurin 25 of the build machines).
 */
class EmbabelToolIT {

    /**
     * The app runs on Java 21+ whichever JDK runs the tests, so `.ci/run`'s second pass (on Temurin 25) would repeat
     * the first exactly: it says so with {@code -Dit.second.jdk=true}, and the class is proved once.
     */
    @BeforeAll
    static void onceAcrossTheJdkPasses() {
        Assumptions.assumeFalse(Boolean.getBoolean("it.second.jdk"),
                "the Embabel app runs on Java 21+ in both passes: proved in the first");
    }

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

    private static String lookupResult(String key) {
        return "value-of-" + key;
    }

    /**
     * A Java 21+ JDK for the app: {@code -Dit.java21.home}, else the Temurin 25 of the build machines, else the JDK
     * running the tests when it is 21+. On a machine with none of them the class is skipped, saying so (as
     * {@code HtmlReportTest} does without Chromium).
     */
    private static Path java21Home() {
        Path home = Path.of(System.getProperty("it.java21.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        if (Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return home;
        }
        if (Runtime.version().feature() >= 21) {
            return Path.of(System.getProperty("java.home"));
        }
        Assumptions.abort("Embabel needs a Java 21+ JDK for its app: set -Dit.java21.home (none at " + home + ")");
        return home;
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
        // Spring AI's OpenAiApi appends /v1/chat/completions to the root it is given
        ForkedApp fork = ForkedApp.of(AppModule.EMBABEL).javaHome(java21Home())
                .args("--base-url", simulator.ollamaBaseUrl(), "--victim", victim.toString())
                .args(extraArgs);
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @Test
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

            // the side effect was prevented, and the model read why, as Embabel renders a failed tool's result
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = simulator.toolResult(DELETE_CALL).orElseThrow();
            assertTrue(refusal.startsWith("Error: blocked by policy: tools.deny[0]"), refusal);

            // exactly max_calls lookups ran; later ones were refused by the limit, the conversation went on
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 1; k <= 3; k++) {
                assertEquals(lookupResult("k" + k), simulator.toolResult(lookupCall(k)).orElseThrow());
            }
            for (int k = 4; k <= 5; k++) {
                String limited = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(limited.startsWith("Error: blocked by policy: "), limited);
                assertTrue(limited.contains("limits[0]"), limited);
            }
            assertEquals(7, simulator.turnsServed());

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(6, toolCalls.size(), entries::toString);
            for (Map<String, Object> call : toolCalls) {
                assertEquals("embabel", call.get("framework"), entries::toString);
                assertTrue(String.valueOf(call.get("args_sha256")).matches("[0-9a-f]{64}"), entries::toString);
            }
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "one agent process is one run\n" + entries);
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
            // Embabel's model calls go through Spring AI's OpenAiApi on Spring's RestClient over the JDK HttpClient: metered
            assertEquals(7, entries.events("llm.call").size(), entries::toString);

            assertCleanLog(entries);
        }
    }

    /**
     * The halt is thrown out of {@code executeToolCall}; Embabel runs each LLM invocation (the whole tool loop) under a
     * Spring Retry {@code RetryTemplate} that retries any exception, which would replay the halted tool loop: the agent
     * keeps that template from retrying a Tollgate exception, so the action fails and the agent process with it.
     * {@code AgentInvocation.invoke} waits on the process's future: the host sees the halt as the cause of an
     * {@code ExecutionException}.
     */
    @Test
    void haltLimitStopsTheWholeAgentProcessWithLimitExceededException() throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(simulator, policy("enforce", "halt"), log);

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: java.util.concurrent.ExecutionException: "
                    + "dev.tollgate.bootstrap.LimitExceededException: "), exception);
            assertTrue(exception.contains("tools-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertTrue(simulator.toolResult(lookupCall(4)).isEmpty(), "the run stopped before the model saw a 4th result");
            assertEquals(5, simulator.turnsServed(), "turn 5 asked for k4, which halted the process: not replayed\n"
                    + simulator.requests());

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow().get("limit"));
            assertCleanLog(entries);
        }
    }

    /**
     * Two agent processes of one platform, four lookups each: without the agent all eight run; with a run limit
     * of 3, each run's fourth lookup is refused and the second run starts counting afresh.
     */
    @Test
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
                assertTrue(limited.startsWith("Error: blocked by policy: limits[0]"), limited);
            }

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(8, toolCalls.size(), entries::toString);
            assertEquals(2, toolCalls.stream().map(c -> c.get("run")).distinct().count(), "two agent processes, two runs\n" + entries);
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
