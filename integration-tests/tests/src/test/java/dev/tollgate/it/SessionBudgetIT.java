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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@code scope: session} budget reaches the LLM calls of a conversation. Unmodified apps ask five questions for each
 * of two users, each user a conversation of the framework's own: a LangChain4j AI service with {@code @MemoryId}
 * (1.19 and 1.0, blocking and streaming through {@code TokenStream}), a Spring AI {@code ChatClient} with a chat
 * memory advisor and {@code ChatMemory.CONVERSATION_ID} (1.1 and 2.0), a LangGraph4j graph (1.8.17 and 1.8.3) invoked
 * under each user's thread id, a Google ADK agent run in each user's ADK session (Gemini through google-genai's async client, JSON and
 * SSE: the request leaves on OkHttp's dispatcher thread). A 1.00 USD budget per session (0.2001 USD a call, 0.4001 USD reserved up front) lets exactly three calls
 * of each user reach the provider; every {@code llm.call} names its user's session. Without the agent the same apps
 * make all ten calls.
 */
class SessionBudgetIT {

    static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1, output_per_mtok: 4000 }
                budgets:
                  - name: per-conversation
                    scope: session
                    max_usd: 1.00
                """);
    }

    static Stream<Arguments> apps() {
        return Stream.of(
                Arguments.of(AppModule.LANGCHAIN4J_SESSION, false),
                Arguments.of(AppModule.LANGCHAIN4J_SESSION, true),
                Arguments.of(AppModule.LANGCHAIN4J_1_0_SESSION, false),
                Arguments.of(AppModule.LANGCHAIN4J_1_0_SESSION, true),
                Arguments.of(AppModule.SPRING_AI_1_SESSION, false),
                Arguments.of(AppModule.SPRING_AI_2_SESSION, false),
                Arguments.of(AppModule.LANGGRAPH4J_SESSION, false),
                Arguments.of(AppModule.LANGGRAPH4J_1_8_SESSION, false),
                Arguments.of(AppModule.GOOGLE_ADK_SESSION, false),
                Arguments.of(AppModule.GOOGLE_ADK_SESSION, true));
    }

    private static ForkedApp app(AppModule app, boolean stream, ProviderSimulator sim) {
        String baseUrl = app == AppModule.GOOGLE_ADK_SESSION ? sim.geminiBaseUrl() : sim.baseUrl();
        ForkedApp fork = ForkedApp.of(app).args("--base-url", baseUrl, "--users", "alice,bob", "--calls", "5",
                "--max-tokens", "100");
        return stream ? fork.args("--stream") : fork;
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("apps")
    void aSessionBudgetStopsEachConversationsLlmCallsAtItsCap(AppModule app, boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(app, stream, sim).agent(AgentJar.requireImplemented(), policy(), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "one llm.call per request\n" + entries);
            for (String user : List.of("alice", "bob")) {
                List<Map<String, Object>> mine = calls.stream().filter(e -> user.equals(e.get("session"))).toList();
                assertEquals(5, mine.size(), "every llm.call names its conversation\n" + entries);
                assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                        mine.stream().map(e -> e.get("decision")).toList(), entries::toString);
                for (int i = 1; i <= 3; i++) {
                    assertTrue(result.stdoutLines().contains("CALL " + user + " " + i + " ok"), result::toString);
                }
                for (int i = 4; i <= 5; i++) {
                    String prefix = "CALL " + user + " " + i + " error=";
                    assertTrue(result.stdoutLines().stream().anyMatch(l -> l.startsWith(prefix)), result::toString);
                }
            }
            assertTrue(result.stdoutLines().contains("DONE ok=6"), result::toString);
            assertEquals(6, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            List<Map<String, Object>> exceeded = entries.events("budget.exceeded");
            assertEquals(2, exceeded.size(), "once per budget and session\n" + entries);
            for (Map<String, Object> e : exceeded) {
                assertEquals("per-conversation", e.get("budget"), entries::toString);
                assertEquals("session", e.get("scope"), entries::toString);
            }
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("apps")
    @WithoutTheAgent
    void withoutTheAgentEveryConversationSpendsPastTheCap(AppModule app, boolean stream) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(app, stream, sim).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }
}
