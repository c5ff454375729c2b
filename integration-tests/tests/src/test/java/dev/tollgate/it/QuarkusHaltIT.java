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
import java.util.Set;

import static dev.tollgate.it.harness.ToolLoopScript.lookupCall;
import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified Quarkus LangChain4j app ({@code @RegisterAiService} with two {@code @Tool}s, packaged as a
 * {@code quarkus-app} and run with {@code java -jar}) against the simulator: the model asks to delete a file, then to
 * look up five keys, one per turn. quarkus-langchain4j runs tools through its own loop, whose catch-all turns any
 * exception of a tool into a tool error the model reads; {@code on_exceed: halt} must end the run all the same. Its
 * model calls go through Quarkus's REST client: an LLM-call limit and a USD budget per run refuse the 4th of them.
 * The scenarios run on quarkus-langchain4j 1.10.0 (Quarkus 3.33.2) and, but for the tool-limit block, on the oldest
 * supported, 1.0.0 (Quarkus 3.20.0): the default OpenAI model of both apps.
 */
class QuarkusHaltIT {

    private static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    private Path policy(String onExceed) throws IOException {
        return Files.writeString(dir.resolve("policy-" + onExceed + ".yaml"), """
                version: 1
                tools:
                  deny: ["delete_*"]
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: 3
                    on_exceed: %s
                """.formatted(onExceed));
    }

    private ForkedApp app(AppModule module, ProviderSimulator simulator) {
        return ForkedApp.of(module).args("--base-url", simulator.baseUrl(), "--victim",
                victim.toString());
    }

    @ParameterizedTest
    @EnumSource(names = {"QUARKUS_LANGCHAIN4J", "QUARKUS_LANGCHAIN4J_1_0"})
    @WithoutTheAgent
    void withoutTheAgentTheModelDeletesTheFileAndRunsEveryLookup(AppModule module) throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = app(module, simulator).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals(7, simulator.turnsServed(), result::toString);
            assertEquals(7, simulator.requestCount(), "every model call reaches the provider: " + result);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"QUARKUS_LANGCHAIN4J", "QUARKUS_LANGCHAIN4J_1_0"})
    void haltEndsTheRunWithLimitExceededExceptionAndNoFurtherModelCall(AppModule module) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = app(module, simulator).agent(AgentJar.requireImplemented(), policy("halt"), log).run();

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.LimitExceededException: "), exception);
            assertTrue(exception.contains("tools-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            // turn 1 asked for the delete, turns 2-4 for k1-k3, turn 5 for k4: the halt, and no sixth model call
            assertEquals(5, simulator.turnsServed(), result::toString);
            assertTrue(simulator.toolResult(lookupCall(4)).isEmpty(), "the model never saw a 4th result");

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> toolCalls = entries.events("tool.call");
            assertEquals(List.of("deny", "allow", "allow", "allow", "deny"),
                    toolCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals(1, toolCalls.stream().map(c -> c.get("run")).distinct().count(),
                    "one AI-service call is one run\n" + entries);
            Map<String, Object> exceeded = entries.only("limit.exceeded");
            assertEquals("tools-per-run", exceeded.get("limit"), entries::toString);
            assertEquals("halt", exceeded.get("on_exceed"), entries::toString);
            assertEquals(true, entries.only("run.summary").get("halted"), entries::toString);
            // the model's traffic, through Quarkus's REST client on Vert.x: one llm.call per model call, in the run
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(5, llmCalls.size(), entries::toString);
            assertEquals(Set.of("quarkus-rest-client"), llmCalls.stream().map(c -> c.get("client")).collect(toSet()),
                    entries::toString);
            assertEquals(Set.of(toolCalls.get(0).get("run")), llmCalls.stream().map(c -> c.get("run")).collect(toSet()),
                    "the model calls belong to the AI-service call's run\n" + entries);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
            assertFalse(entries.text().contains(victim.getFileName().toString()), "no tool argument in clear");
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
        }
    }

    /** On 1.10.0 only: on 1.0.0 the halt scenario proves the same hooks (the tool refusals are LangChain4j's). */
    @ParameterizedTest
    @EnumSource(names = "QUARKUS_LANGCHAIN4J")
    void blockRefusesTheFourthLookupAndTheConversationGoesOn(AppModule module) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = app(module, simulator).agent(AgentJar.requireImplemented(), policy("block"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            String refusal = simulator.toolResult(Script.callId(1, 0)).orElseThrow();
            assertTrue(refusal.contains("blocked by policy: tools.deny[0]"), refusal);
            assertTrue(simulator.toolResult(lookupCall(4)).orElseThrow().contains("blocked by policy: limits[0]"),
                    result::toString);
            assertEquals(7, simulator.turnsServed(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    private Path llmPolicy(String rules) throws IOException {
        return Files.writeString(dir.resolve("llm-policy.yaml"), """
                version: 1
                tools:
                  deny: ["delete_*"]
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1, output_per_mtok: 4000 }
                """ + rules);
    }

    /**
     * An LLM-call limit per run ({@code llm: "*"}, 3 calls): the 4th model call of the AI-service call is refused in
     * the REST client with the provider-format 402, which quarkus-langchain4j does not retry; the call throws.
     */
    @ParameterizedTest
    @EnumSource(names = {"QUARKUS_LANGCHAIN4J", "QUARKUS_LANGCHAIN4J_1_0"})
    void anLlmCallLimitPerRunRefusesTheFourthModelCall(AppModule module) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.builder(deleteThenFiveLookups()).usage(100, 50).start()) {
            ForkedApp.Result result = app(module, simulator).agent(AgentJar.requireImplemented(), llmPolicy("""
                    limits:
                      - { name: llm-per-run, scope: run, llm: "*", max_calls: 3 }
                    """), log).run();

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.contains("llm-per-run"), exception);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(2, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals(3, simulator.requestCount(), "the refused call never reached the provider, nor a retry");
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(List.of("allow", "allow", "allow", "deny"),
                    entries.events("llm.call").stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    /**
     * A USD budget per run with {@code on_exceed: halt} (1.00 USD; 0.2001 USD a call, about 0.40 USD reserved up front):
     * the 4th model call is refused and the AI-service call ends with {@code BudgetExceededException}.
     */
    @ParameterizedTest
    @EnumSource(names = {"QUARKUS_LANGCHAIN4J", "QUARKUS_LANGCHAIN4J_1_0"})
    void aRunBudgetWithHaltEndsTheAiServiceCallWithBudgetExceededException(AppModule module) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.builder(deleteThenFiveLookups()).usage(100, 50).start()) {
            ForkedApp.Result result = app(module, simulator).args("--max-tokens", "100")
                    .agent(AgentJar.requireImplemented(), llmPolicy("""
                    budgets:
                      - { name: per-run, scope: run, max_usd: 1.00, on_exceed: halt }
                    """), log).run();

            assertEquals(3, result.exitCode(), result::toString);
            String exception = result.stdoutLines().stream().filter(l -> l.startsWith("EXCEPTION: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(exception.startsWith("EXCEPTION: dev.tollgate.bootstrap.BudgetExceededException: "), exception);
            assertTrue(exception.contains("per-run"), exception);
            assertEquals(3, simulator.requestCount(), "the refused call never reached the provider, nor a retry");
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(List.of("allow", "allow", "allow", "deny"),
                    llmCalls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals(0.6003, llmCalls.subList(0, 3).stream()
                    .mapToDouble(c -> ((Number) c.get("cost_usd")).doubleValue()).sum(), 1e-9, entries::toString);
            assertEquals(true, entries.only("run.summary").get("halted"), entries::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }
}
