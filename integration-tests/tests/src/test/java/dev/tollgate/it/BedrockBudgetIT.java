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
 * Unmodified apps on AWS Bedrock, LangChain4j 1.9.1 ({@code BedrockChatModel} over the AWS SDK 2.59.1's default sync
 * client, Apache 5, Converse; {@code BedrockStreamingChatModel} over its Netty async client, ConverseStream's binary
 * event stream) and Spring AI 1.1.8 ({@code BedrockProxyChatModel} over SDK 2.36.3, Apache 4 and Netty), each ask {@code us.anthropic.claude-3-5-sonnet-20241022-v2:0} ten questions at the SDK's and LangChain4j's
 * default retry settings, against the simulator speaking Bedrock's wire format (dummy credentials, signatures not
 * checked); the LangChain4j app also calls InvokeModel with an Anthropic Messages body through the SDK client
 * itself. The model is priced from the bundled table (Bedrock's own id, 3 / 15 USD per million tokens): 1000 input
 * and 500 output tokens cost 0.0105 USD a call. A process budget of 0.045 USD lets exactly four calls reach Bedrock;
 * the six refused calls fail in the app with an error naming the budget, and neither the SDK nor LangChain4j
 * retries them (the simulator sees four requests). Without the agent the same app spends 0.105 USD.
 */
class BedrockBudgetIT {

    static final String MODEL = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
    static final String SECRET = "sim-SECRET-aws-key-123";

    @TempDir
    Path dir;

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                budgets:
                  - name: process-cap
                    scope: process
                    max_usd: 0.045
                """);
    }

    static Stream<Arguments> apps() {
        return Stream.of(
                Arguments.of(AppModule.LANGCHAIN4J_BEDROCK_BUDGET, "converse"),
                Arguments.of(AppModule.LANGCHAIN4J_BEDROCK_BUDGET, "stream"),
                Arguments.of(AppModule.SPRING_AI_BEDROCK_BUDGET, "converse"),
                Arguments.of(AppModule.SPRING_AI_BEDROCK_BUDGET, "stream"),
                Arguments.of(AppModule.LANGCHAIN4J_BEDROCK_BUDGET, "invoke"));
    }

    private static ForkedApp app(AppModule app, ProviderSimulator sim, String operation) {
        ForkedApp fork = ForkedApp.of(app)
                .args("--endpoint", sim.bedrockEndpoint(), "--model", MODEL, "--calls", "10", "--max-tokens", "500");
        if (!operation.equals("converse")) {
            fork.args("--" + operation);
        }
        return fork;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apps")
    void theCapHoldsAndRefusedCallsAreNotRetried(AppModule app, String operation) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(1000, 500).start()) {
            ForkedApp.Result result = app(app, sim, operation).agent(AgentJar.requireImplemented(), policy(), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> allowed = entries.events("llm.call").stream()
                    .filter(e -> "allow".equals(e.get("decision"))).toList();
            assertEquals(4, allowed.size(), entries::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=4"), result::toString);
            assertEquals(4, sim.requestCount(), "refused calls never reach Bedrock and are not retried\n" + result);
            List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
            assertEquals(6, errors.size(), result::toString);
            for (String error : errors) {
                assertTrue(error.contains("process-cap"), "the app's error names the budget: " + error);
            }
            for (Map<String, Object> e : allowed) {
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(0.0105, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
                assertEquals(1000, ((Number) e.get("input_tokens")).intValue(), entries::toString);
                assertEquals(500, ((Number) e.get("output_tokens")).intValue(), entries::toString);
            }
            for (Map<String, Object> e : entries.events("llm.call")) {
                assertEquals("aws-sdk", e.get("client"), entries::toString);
                assertEquals("aws", e.get("provider"), entries::toString);
                assertEquals(MODEL, e.get("model"), entries::toString);
                assertEquals(operation.equals("invoke") ? "anthropic_messages" : "bedrock_converse", e.get("api"),
                        entries::toString);
                assertEquals(operation.equals("stream"), e.get("stream"), entries::toString);
            }
            assertEquals(6, entries.events("llm.call").stream().filter(e -> "deny".equals(e.get("decision"))).count());
            assertEquals(10, entries.events("llm.call").size(), "exactly one llm.call per request\n" + entries);
            assertFalse(entries.text().contains(SECRET), "no AWS secret in the log");
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("apps")
    @WithoutTheAgent
    void withoutTheAgentTheSameAppSpendsMoreThanTwiceTheCap(AppModule app, String operation) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(1000, 500).start()) {
            ForkedApp.Result result = app(app, sim, operation).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }
}
