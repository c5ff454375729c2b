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
 * Unmodified apps (LangChain4j with its OpenAI and Anthropic models, Spring AI 1.x over the JDK client and over
 * Reactor Netty, Spring AI 2.0, the openai-java, anthropic-java and google-genai 2.x SDKs) ask a chat model ten
 * questions at their default retry settings. A process budget of 1.00 USD (0.20 USD a call, 0.2x reserved up
 * front) lets exactly four calls reach the provider; the six refused calls fail in the app with an error naming the
 * budget, and the framework retries none of them (the simulator sees four requests, not more). Without the agent
 * the same app spends 2.00 USD. Every request is one {@code llm.call}: Spring AI 1.x's are governed by Spring's
 * {@code RestClient}/{@code WebClient} layer, and the JDK client under it does not count them again.
 */
class FrameworkBudgetIT {

    static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    static Stream<Arguments> apps() {
        return Stream.of(
                Arguments.of(AppModule.LANGCHAIN4J_BUDGET, "openai", false),
                Arguments.of(AppModule.LANGCHAIN4J_BUDGET, "openai", true),
                Arguments.of(AppModule.LANGCHAIN4J_BUDGET, "anthropic", false),
                Arguments.of(AppModule.LANGCHAIN4J_BUDGET, "anthropic", true),
                Arguments.of(AppModule.SPRING_AI_1_BUDGET, "openai", false),
                Arguments.of(AppModule.SPRING_AI_1_BUDGET, "openai", true),
                Arguments.of(AppModule.SPRING_AI_1_NETTY_BUDGET, "openai", false),
                Arguments.of(AppModule.SPRING_AI_1_NETTY_BUDGET, "openai", true),
                Arguments.of(AppModule.SPRING_AI_2_BUDGET, "openai", false),
                Arguments.of(AppModule.SPRING_AI_2_BUDGET, "openai", true),
                Arguments.of(AppModule.OPENAI_JAVA, "openai", false),
                Arguments.of(AppModule.OPENAI_JAVA, "openai", true),
                Arguments.of(AppModule.ANTHROPIC_JAVA, "anthropic", false),
                Arguments.of(AppModule.ANTHROPIC_JAVA, "anthropic", true),
                Arguments.of(AppModule.GOOGLE_GENAI, "gemini", false),
                Arguments.of(AppModule.GOOGLE_GENAI, "gemini", true));
    }

    /**
     * Spring AI 1.x streams without {@code stream_options.include_usage}, so the provider reports no usage and the
     * agent charges its estimate (about 0.05 USD a call here): a 0.40 USD cap then stops the stream at four calls.
     */
    private static boolean estimated(AppModule app, boolean stream) {
        return stream && (app == AppModule.SPRING_AI_1_BUDGET || app == AppModule.SPRING_AI_1_NETTY_BUDGET);
    }

    private Path policy(String cap) throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
                budgets:
                  - name: process-cap
                    scope: process
                    max_usd: %s
                """.formatted(cap));
    }

    private static ForkedApp app(AppModule app, String provider, boolean stream, ProviderSimulator sim) {
        String base = app == AppModule.ANTHROPIC_JAVA ? sim.anthropicBaseUrl()
                : app == AppModule.GOOGLE_GENAI ? sim.geminiBaseUrl()
                : provider.equals("anthropic") ? sim.anthropicBaseUrl() + "/v1" : sim.baseUrl();
        ForkedApp fork = ForkedApp.of(app).args("--base-url", base, "--calls", "10", "--max-tokens", "100");
        if (app == AppModule.OPENAI_JAVA || app == AppModule.ANTHROPIC_JAVA || app == AppModule.GOOGLE_GENAI) {
            fork.args("--model", "sim-model");
        }
        if (app == AppModule.LANGCHAIN4J_BUDGET) {
            fork.args("--provider", provider);
        }
        if (stream) {
            fork.args("--stream");
        }
        return fork;
    }

    /** Spring AI 1.x: RestClient for calls, WebClient for streams; null for the other apps. */
    private static String springClient(AppModule app, boolean stream) {
        if (app != AppModule.SPRING_AI_1_BUDGET && app != AppModule.SPRING_AI_1_NETTY_BUDGET) {
            return null;
        }
        return stream ? "spring-webclient" : "spring-restclient";
    }

    @ParameterizedTest(name = "{0} {1} stream={2}")
    @MethodSource("apps")
    void theCapHoldsAndRefusedCallsAreNotRetried(AppModule app, String provider, boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(app, provider, stream, sim)
                    .agent(AgentJar.requireImplemented(), policy(estimated(app, stream) ? "0.40" : "1.00"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> allowed = entries.events("llm.call").stream()
                    .filter(e -> "allow".equals(e.get("decision"))).toList();
            int ok = allowed.size();
            if (!estimated(app, stream)) {
                assertEquals(4, ok, entries::toString);
            }
            assertTrue(ok >= 1 && ok <= 5, entries::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=" + ok), result::toString);
            assertEquals(ok, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
            assertEquals(10 - ok, errors.size(), result::toString);
            for (String error : errors) {
                // WebClient's exception message has the status only; the facts are in its response body
                assertTrue(error.contains(estimated(app, stream) ? "402" : "process-cap"),
                        "the app's error names the budget: " + error);
            }
            for (Map<String, Object> e : allowed) {
                if (estimated(app, stream)) {
                    assertEquals("estimated", e.get("usage"), entries::toString);
                } else {
                    assertEquals("reported", e.get("usage"), entries::toString);
                    assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
                }
            }
            assertEquals(10 - ok, entries.events("llm.call").stream().filter(e -> "deny".equals(e.get("decision"))).count());
            assertEquals(10, entries.events("llm.call").size(), "exactly one llm.call per request\n" + entries);
            String client = springClient(app, stream);
            if (client != null) {
                for (Map<String, Object> e : entries.events("llm.call")) {
                    assertEquals(client, e.get("client"), "governed at Spring's layer, whatever the connector");
                }
            }
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    @ParameterizedTest(name = "{0} {1} stream={2}")
    @MethodSource("apps")
    @WithoutTheAgent
    void withoutTheAgentTheSameAppSpendsTwiceTheCap(AppModule app, String provider, boolean stream) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(app, provider, stream, sim).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }
}
