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
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * quarkus-langchain4j's oldest supported release, 1.0.0 (on Quarkus 3.20.0, packaged {@code quarkus-app},
 * {@code java -jar}), with three providers in one app: OpenAI (the default model), Anthropic and Ollama (named models),
 * each called through its own REST interface on Quarkus's REST client. For each provider, blocking, and streamed
 * ({@code Multi<String>}: SSE for Anthropic, NDJSON for Ollama; OpenAI's SSE stream is {@link QuarkusBudgetIT}'s, on
 * 1.10.0, through the same hooks), two users ask four questions each, one
 * call of the provider's {@code @RegisterAiService} AI service each, the user its {@code @MemoryId}. A 1.00 USD
 * budget per session (0.2001 USD a call, 0.4001 USD reserved up front) lets exactly three calls of each user reach
 * the provider; without the agent the same app makes all eight. A refused call is final: Anthropic's blocking call
 * on 1.0.0 goes through LangChain4j's retry, which the agent keeps from repeating it (one {@code llm.call} per
 * request). Tool deny, limits and halt on 1.0.0 are {@link QuarkusHaltIT}'s, which runs on both releases.
 */
class QuarkusProvidersIT {

    private static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    /**
     * Ollama is recognised by its port (11434) or a {@code providers:} base URL: the simulator's port is another, so
     * the policy names it, as a user with Ollama elsewhere would.
     */
    private Path policy(ProviderSimulator sim, String provider) throws IOException {
        String providers = !provider.equals("ollama") ? "" : """
                providers:
                  - { base_url: "%s", format: ollama, name: ollama }
                """.formatted(sim.ollamaBaseUrl());
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1, output_per_mtok: 4000 }
                budgets:
                  - name: per-conversation
                    scope: session
                    max_usd: 1.00
                """ + providers);
    }

    private static ForkedApp app(ProviderSimulator sim, String provider, boolean stream) {
        ForkedApp app = ForkedApp.of(AppModule.QUARKUS_LANGCHAIN4J_1_0).args("--base-url", sim.baseUrl(),
                "--ollama-base-url", sim.ollamaBaseUrl(), "--provider", provider, "--users", "alice,bob",
                "--calls", "4", "--max-tokens", "100");
        return stream ? app.args("--stream") : app;
    }

    /** The provider an llm.call names: OpenAI and Anthropic on 127.0.0.1 are recognised by their paths. */
    private static String loggedProvider(String provider) {
        return provider.equals("ollama") ? "ollama" : provider + "-compatible";
    }

    /** The path the provider's requests take on the simulator. */
    private static String path(String provider) {
        return switch (provider) {
            case "openai" -> ProviderSimulator.CHAT_COMPLETIONS_PATH;
            case "anthropic" -> ProviderSimulator.MESSAGES_PATH;
            case "ollama" -> ProviderSimulator.OLLAMA_CHAT_PATH;
            default -> throw new IllegalArgumentException(provider);
        };
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"openai, false", "anthropic, false", "anthropic, true", "ollama, false", "ollama, true"})
    void aSessionBudgetHoldsForEachProvider(String provider, boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        // a stream's connection stays open after its last event: the app has its answer and sends its next call
        // before the body ends, and that call must see the last one settled, not still reserved
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50)
                .streamEndDelay(Duration.ofMillis(400)).start()) {
            ForkedApp.Result result = app(sim, provider, stream)
                    .agent(AgentJar.requireImplemented(), policy(sim, provider), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(8, calls.size(), "one llm.call per request, none for a retry\n" + entries);
            assertEquals(Set.of(loggedProvider(provider)), calls.stream().map(e -> e.get("provider")).collect(toSet()),
                    entries::toString);
            assertEquals(Set.of("quarkus-rest-client"), calls.stream().map(e -> e.get("client")).collect(toSet()),
                    entries::toString);
            for (String user : List.of("alice", "bob")) {
                List<Map<String, Object>> mine = calls.stream().filter(e -> user.equals(e.get("session"))).toList();
                assertEquals(4, mine.size(), "every llm.call names its @MemoryId\n" + entries);
                assertEquals(4, mine.stream().map(e -> e.get("run")).filter(r -> r != null).distinct().count(),
                        "each call is its AI-service call's own run\n" + entries);
                assertEquals(List.of("allow", "allow", "allow", "deny"),
                        mine.stream().map(e -> e.get("decision")).toList(), entries::toString);
                for (Map<String, Object> allowed : mine.subList(0, 3)) {
                    assertEquals(stream, allowed.get("stream"), entries::toString);
                    assertEquals("reported", allowed.get("usage"), entries::toString);
                    assertEquals("sim-model", allowed.get("model"), entries::toString);
                    assertEquals(100, ((Number) allowed.get("input_tokens")).intValue(), entries::toString);
                    assertEquals(50, ((Number) allowed.get("output_tokens")).intValue(), entries::toString);
                    assertEquals(0.2001, ((Number) allowed.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
                }
                for (int i = 1; i <= 3; i++) {
                    assertTrue(result.stdoutLines().contains("CALL " + user + " " + i + " ok"), result::toString);
                }
                String refused = result.stdoutLines().stream().filter(l -> l.startsWith("CALL " + user + " 4 error="))
                        .findFirst().orElseThrow(() -> new AssertionError(result));
                // quarkus-langchain4j 1.0.0's Anthropic client, and its Ollama stream, raise the REST client's own
                // exception for an error status, without the body: the refusal shows as its 402 there; LangChain4j's
                // retry would repeat it, but the agent maps it to the non-retriable InvalidRequestException
                boolean generic = provider.equals("anthropic") || provider.equals("ollama") && stream;
                assertTrue(refused.contains(generic ? "status code 402" : "per-conversation"),
                        "the app's exception names the refusal: " + refused);
                if (provider.equals("anthropic") && !stream) {
                    assertTrue(refused.contains("error=dev.langchain4j.exception.InvalidRequestException: "), refused);
                }
            }
            assertTrue(result.stdoutLines().contains("DONE ok=6"), result::toString);
            assertEquals(6, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            assertEquals(6, sim.requestCount(path(provider)), result::toString);
            assertEquals(2, entries.events("budget.exceeded").size(), "once per budget and session\n" + entries);
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
            assertFalse(entries.text().contains("coverage.gap"), "Quarkus's REST client is hooked\n" + entries);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"openai, false", "anthropic, true", "ollama, true"})
    @WithoutTheAgent
    void withoutTheAgentEachProviderSpendsPastTheCap(String provider, boolean stream) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = app(sim, provider, stream).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=8"), result::toString);
            assertEquals(8, sim.requestCount(path(provider)), result::toString);
        }
    }
}
