package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streaming runs, forked: the same scripted tool loop as {@link SpringAiToolIT} (delete a file, then look up five
 * keys, one per model turn), but streamed, so the framework runs the tools after the entry point has returned:
 * <ul>
 *   <li>Spring AI 1.1.8, {@code ChatClient…stream().content()}: the provider model runs each tool round on a Reactor
 *       {@code boundedElastic} thread (OpenAI SSE over WebClient);</li>
 *   <li>Spring AI 1.1.8, {@code ChatModel.stream(Prompt)} called directly;</li>
 *   <li>Spring AI 2.0.1, {@code ChatClient…stream().content()}: {@code ToolCallingAdvisor.adviseStream} runs each
 *       round on {@code boundedElastic} (openai-java SDK, async streaming);</li>
 *   <li>LangGraph4j 1.8.17 ({@code AgentExecutor}) and 1.8.3 (the same loop built from langgraph4j-core),
 *       {@code CompiledGraph.stream(...)}: the app iterates the generator itself.</li>
 * </ul>
 * One stream is one run: a run limit of 3 lets exactly three lookups run across the tool rounds, every log line
 * carries the same run id, the refusals reach the model and the stream goes on; with {@code on_exceed: halt} the
 * stream ends with {@code LimitExceededException}. Without the agent, every tool runs.
 */
class StreamingRunIT {

    private static final String SECRET = "sk-test-SECRET-123";
    private static final String DELETE_CALL = Script.callId(1, 0);

    @TempDir
    Path dir;

    private Path victim;

    static Stream<Arguments> streams() {
        return Stream.of(
                Arguments.of(AppModule.SPRING_AI_1, "--stream"),
                Arguments.of(AppModule.SPRING_AI_1, "--stream-model"),
                Arguments.of(AppModule.SPRING_AI_2, "--stream"),
                Arguments.of(AppModule.LANGGRAPH4J, "--stream"),
                Arguments.of(AppModule.LANGGRAPH4J_1_8, "--stream"));
    }

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
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

    private static String framework(AppModule app) {
        return app == AppModule.LANGGRAPH4J || app == AppModule.LANGGRAPH4J_1_8 ? "langchain4j" : "spring-ai";
    }

    private Path policy(String onExceed) throws IOException {
        return Files.writeString(dir.resolve("policy-" + onExceed + ".yaml"), """
                version: 1
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: 3
                    on_exceed: %s
                """.formatted(onExceed));
    }

    private ForkedApp.Result runApp(AppModule app, String flag, ProviderSimulator simulator, Path policy, Path log) {
        ForkedApp fork = ForkedApp.of(app).args("--base-url", simulator.baseUrl(), "--victim", victim.toString(), flag);
        if (policy != null) {
            fork.agent(AgentJar.requireImplemented(), policy, log);
        }
        return fork.run();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("streams")
    @WithoutTheAgent
    void withoutTheAgentTheStreamDeletesTheFileAndRunsEveryLookup(AppModule app, String flag) throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, flag, simulator, null, null);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), "the run limit is violated\n" + result);
            assertEquals(7, simulator.turnsServed());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("streams")
    void aRunLimitHoldsAcrossTheToolRoundsOfOneStream(AppModule app, String flag) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, flag, simulator, policy("block"), log);

            // the app saw an ordinary, successful stream
            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(result.stderr().contains(SECRET), "the agent must not print the API key");

            // the denied tool never ran; exactly max_calls tools ran; the model read every refusal
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(List.of("TOOL_RAN lookup k1", "TOOL_RAN lookup k2", "TOOL_RAN lookup k3"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("TOOL_RAN")).toList(), result::toString);
            assertTrue(simulator.toolResult(DELETE_CALL).orElseThrow().contains("blocked by policy: tools.deny[0]"),
                    simulator.toolResult(DELETE_CALL).orElseThrow());
            for (int k = 1; k <= 3; k++) {
                String told = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(told.contains("value-of-k" + k), told);
            }
            for (int k = 4; k <= 5; k++) {
                String limited = simulator.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(limited.contains("blocked by policy: limits[0]"), limited);
            }
            assertEquals(7, simulator.turnsServed());

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("tool.call");
            assertEquals(6, calls.size(), entries::toString);
            Object run = calls.get(0).get("run");
            assertNotNull(run, entries::toString);
            for (Map<String, Object> call : calls) {
                assertEquals(run, call.get("run"), "one stream is one run\n" + entries);
                assertEquals(framework(app), call.get("framework"), entries::toString);
            }
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"), entries.toolCalls("lookup").stream()
                    .map(c -> c.get("decision")).toList(), entries::toString);
            Map<String, Object> exceeded = entries.only("limit.exceeded");
            assertEquals("tools-per-run", exceeded.get("limit"));
            assertEquals(run, exceeded.get("run"));
            assertCleanLog(entries);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("streams")
    void haltEndsTheStreamWithLimitExceededException(AppModule app, String flag) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = runApp(app, flag, simulator, policy("halt"), log);

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.contains("LimitExceededException") && exception.contains("tools-per-run"), exception);
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertTrue(simulator.toolResult(lookupCall(4)).isEmpty(), "the stream ended before the model saw a 4th result");
            assertEquals(5, simulator.turnsServed(), "turn 5 asked for k4, which halted: no round trip after it");

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(1, entries.events("tool.call").stream().map(c -> c.get("run")).distinct().count(),
                    entries::toString);
            assertCleanLog(entries);
        }
    }

    /** No advice error was swallowed, no argument and no API key leaked into the log. */
    private void assertCleanLog(EnforcementLog entries) {
        Map<String, Object> stopped = entries.only("agent.stopped");
        assertEquals(0, ((Number) stopped.get("suppressed_errors")).intValue(), entries::toString);
        assertFalse(entries.text().contains(victim.getFileName().toString()), "tool arguments must not appear in clear");
        assertFalse(entries.text().contains(SECRET), "the API key must never be logged");
    }
}
