package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model calls of an unmodified Quarkus LangChain4j app (packaged {@code quarkus-app}, {@code java -jar}) go
 * through Quarkus's REST client on Vert.x: metered from the provider's usage and refused at a USD budget there. The
 * app asks five questions for each of two users, one call of an {@code @RegisterAiService} AI service each, the user
 * its {@code @MemoryId}, blocking or streamed ({@code Multi<String>}, SSE). A 1.00 USD budget per session (0.2001
 * USD a call, 0.4001 USD reserved up front) lets exactly three calls of each user reach the provider. Without the
 * agent the same app makes all ten.
 */
class QuarkusBudgetIT {

    private static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    private Path policy(String name, String scope) throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1, output_per_mtok: 4000 }
                budgets:
                  - name: %s
                    scope: %s
                    max_usd: 1.00
                """.formatted(name, scope));
    }

    private static ForkedApp app(ProviderSimulator sim, boolean stream) {
        ForkedApp app = ForkedApp.of(AppModule.QUARKUS_LANGCHAIN4J).args("--base-url", sim.baseUrl(), "--users",
                "alice,bob", "--calls", "5", "--max-tokens", "100");
        return stream ? app.args("--stream") : app;
    }

    /**
     * Blocking, and streamed: a streamed call's model request is made when the app subscribes, after the AI-service
     * call returned, and the run (its session the {@code @MemoryId}) goes with the {@code Multi} until it ends.
     */
    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void aSessionBudgetStopsEachConversationAtItsCap(boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(sim, stream)
                    .agent(AgentJar.requireImplemented(), policy("per-conversation", "session"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "one llm.call per request\n" + entries);
            for (String user : List.of("alice", "bob")) {
                List<Map<String, Object>> mine = calls.stream().filter(e -> user.equals(e.get("session"))).toList();
                assertEquals(5, mine.size(), "every llm.call names its @MemoryId\n" + entries);
                assertEquals(5, mine.stream().map(e -> e.get("run")).filter(r -> r != null).distinct().count(),
                        "each call is its AI-service call's own run\n" + entries);
                assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                        mine.stream().map(e -> e.get("decision")).toList(), entries::toString);
                for (Map<String, Object> allowed : mine.subList(0, 3)) {
                    assertEquals(stream, allowed.get("stream"), entries::toString);
                    assertEquals("reported", allowed.get("usage"), entries::toString);
                    assertEquals(100, ((Number) allowed.get("input_tokens")).intValue(), entries::toString);
                    assertEquals(50, ((Number) allowed.get("output_tokens")).intValue(), entries::toString);
                    assertEquals("sim-model", allowed.get("model"), entries::toString);
                }
                for (int i = 1; i <= 3; i++) {
                    assertTrue(result.stdoutLines().contains("CALL " + user + " " + i + " ok"), result::toString);
                }
                for (int i = 4; i <= 5; i++) {
                    String prefix = "CALL " + user + " " + i + " error=";
                    String line = result.stdoutLines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                            .orElseThrow(() -> new AssertionError(result));
                    assertTrue(line.contains("per-conversation"), "the app's exception names the budget: " + line);
                }
            }
            assertTrue(result.stdoutLines().contains("DONE ok=6"), result::toString);
            assertEquals(6, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            assertEquals(2, entries.events("budget.exceeded").size(), "once per budget and session\n" + entries);
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
            assertFalse(entries.text().contains("coverage.gap"), "Quarkus's REST client is hooked\n" + entries);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    /** Streamed ({@code Multi<String>}, SSE) under a process budget: the first three calls of all ten go. */
    @Test
    void aProcessBudgetStopsStreamedCallsAtItsCap() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(sim, true)
                    .agent(AgentJar.requireImplemented(), policy("per-process", "process"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "one llm.call per request\n" + entries);
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny", "deny", "deny", "deny", "deny", "deny"),
                    calls.stream().map(e -> e.get("decision")).toList(), entries::toString);
            for (Map<String, Object> allowed : calls.subList(0, 3)) {
                assertEquals(true, allowed.get("stream"), entries::toString);
                assertEquals("reported", allowed.get("usage"), entries::toString);
                assertEquals(50, ((Number) allowed.get("output_tokens")).intValue(), entries::toString);
            }
            assertTrue(result.stdoutLines().contains("DONE ok=3"), result::toString);
            String refused = result.stdoutLines().stream().filter(l -> l.startsWith("CALL alice 4 error="))
                    .findFirst().orElseThrow(() -> new AssertionError(result));
            assertTrue(refused.contains("per-process"), "the app's exception names the budget: " + refused);
            assertEquals(3, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void withoutTheAgentEveryConversationSpendsPastTheCap(boolean stream) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(sim, stream).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }
}
