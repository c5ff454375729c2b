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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified LangChain4j app (and a Spring AI one) on Azure OpenAI ({@code AzureOpenAiChatModel} / {@code AzureOpenAiStreamingChatModel},
 * azure-ai-openai over azure-core's pipeline, Reactor Netty underneath, default retry policy) against the simulator's
 * {@code /openai/deployments/{deployment}/chat/completions}: the budget holds, a refused call reaches neither the
 * provider nor azure-core's retry policy, a halt ends the AiServices run, and without the agent the same app
 * overspends.
 */
class AzureOpenAiIT {

    static final String SECRET = "azure-test-SECRET-456";

    @TempDir
    Path dir;

    private Path policy(String body) throws IOException {
        return Files.writeString(dir.resolve("policy-" + System.nanoTime() + ".yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
                """ + body);
    }

    private static ForkedApp app(ProviderSimulator sim, String... args) {
        return ForkedApp.of(AppModule.LANGCHAIN4J_AZURE).args("--endpoint", sim.azureEndpoint(), "--max-tokens", "100")
                .args(args);
    }

    private static void assertClean(EnforcementLog entries) {
        assertFalse(entries.text().contains(SECRET), "no API key in the log");
        assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
    }

    /**
     * 0.20 USD a call (100 + 50 tokens of sim-model), about 0.24 USD reserved before each: a 1.00 USD cap admits
     * four of ten calls; the other six are answered with a 402 in the OpenAI error format at the top of the
     * pipeline, so azure-core's retry policy never sees them and the simulator only the four. Whichever azure-core
     * HttpClient is underneath, each request is one {@code llm.call}, at azure-core: OkHttp and the JDK client are
     * instrumented themselves, and leave the request to the pipeline (OkHttp's async calls run on its dispatcher
     * thread: the mark travels with the enqueued request). Not run: streaming over the JDK client, which fails
     * without the agent too (azure-ai-openai 1.0.0-beta.16's SSE reader calls {@code array()} on the JDK client's
     * read-only buffers: {@code ReadOnlyBufferException}).
     */
    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"netty,false", "netty,true", "okhttp,false", "okhttp,true", "jdk,false"})
    void theCapHoldsAndRefusedCallsAreNotRetried(String http, boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = simulator(Script.empty(), stream).start()) {
            ForkedApp fork = app(sim, "--deployment", "sim-model", "--calls", "10", "--http", http);
            if (stream) {
                fork.args("--stream");
            }
            ForkedApp.Result result = fork.agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: process-cap, scope: process, max_usd: 1.00 }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=4"), result::toString);
            assertEquals(4, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
            assertEquals(6, errors.size(), result::toString);
            for (String error : errors) {
                assertTrue(error.contains("process-cap"), "the app's error names the budget: " + error);
            }
            for (String ok : result.stdoutLines().stream().filter(l -> l.contains(" ok ")).toList()) {
                assertTrue(ok.contains(" text=" + Script.FALLBACK_ANSWER), "the app read the answer: " + ok);
            }
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "exactly one llm.call per request\n" + entries);
            for (Map<String, Object> e : calls.subList(0, 4)) {
                assertEquals("allow", e.get("decision"), entries::toString);
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
                assertEquals(stream, e.get("stream"), entries::toString);
            }
            for (Map<String, Object> e : calls) {
                assertEquals("azure-core", e.get("client"), "counted once, at the pipeline\n" + entries);
                assertEquals("azure-openai", e.get("provider"), entries::toString);
                assertEquals("sim-model", e.get("model"), entries::toString);
            }
            assertEquals(6, calls.stream().filter(e -> "deny".equals(e.get("decision"))).count(), entries::toString);
            assertClean(entries);
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void withoutTheAgentTheSameAppSpendsTwiceTheCap(boolean stream) {
        try (ProviderSimulator sim = simulator(Script.empty(), stream).start()) {
            ForkedApp fork = app(sim, "--deployment", "sim-model", "--calls", "10");
            if (stream) {
                fork.args("--stream");
            }
            ForkedApp.Result result = fork.run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), "10 × 0.20 USD = 2.00 USD against a 1.00 USD cap");
        }
    }

    /**
     * The request names the deployment ({@code "model": "prod-chat"}, as azure-ai-openai sends it) and Azure answers
     * with the model behind it: the call is reserved at the deployment's price (the policy prices {@code prod-chat},
     * as the operator must for a deployment not named after a model) and settled at the price of the model the
     * response reports (0.40 USD at sim-model-2024's rates, not 0.20 at prod-chat's).
     */
    @Test
    void aDeploymentIsReservedByItsNameAndSettledByTheModelAzureAnswersWith() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50)
                .azureModel("sim-model-2024").start()) {
            ForkedApp.Result result = app(sim, "--deployment", "prod-chat", "--calls", "1")
                    .agent(AgentJar.requireImplemented(), policy("""
                        prod-chat: { input_per_mtok: 1000, output_per_mtok: 2000 }
                        sim-model-2024: { input_per_mtok: 2000, output_per_mtok: 4000 }
                    budgets:
                      - { name: process-cap, scope: process, max_usd: 10.00 }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=1"), result::toString);
            Map<String, Object> call = EnforcementLog.read(log).only("llm.call");
            assertEquals("prod-chat", call.get("model"), call::toString);
            assertEquals("sim-model-2024", call.get("response_model"), call::toString);
            assertEquals(0.4, ((Number) call.get("cost_usd")).doubleValue(), 1e-9, call::toString);
        }
    }

    /**
     * An AiServices assistant whose model looks up k1 to k5, one per turn: a USD budget per run with
     * {@code on_exceed: halt} (1.00 USD; 0.20 USD a call, about 0.25 reserved before each) refuses the 4th model call,
     * and the AI-service call ends with {@code BudgetExceededException}; the run is the one the sync model call was
     * admitted in.
     */
    @Test
    void aRunBudgetWithHaltEndsTheAiServiceCall() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(fiveLookups()).usage(100, 50).start()) {
            ForkedApp.Result result = app(sim, "--deployment", "sim-model", "--agent")
                    .agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: per-run, scope: run, max_usd: 1.00, on_exceed: halt }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            String error = result.stdoutLines().stream().filter(l -> l.startsWith("RUN error=")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(error.startsWith("RUN error=dev.tollgate.bootstrap.BudgetExceededException: "), error);
            assertTrue(error.contains("per-run"), error);
            assertEquals(3, sim.requestCount(), "the refused call never reached the provider, nor a retry");
            assertEquals(3, result.stdoutLines().stream().filter(l -> l.startsWith("TOOL_RAN lookup")).count(),
                    result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(List.of("allow", "allow", "allow", "deny"), calls.stream().map(c -> c.get("decision")).toList(),
                    entries::toString);
            Object run = calls.get(0).get("run");
            assertTrue(run != null, entries::toString);
            for (Map<String, Object> c : calls) {
                assertEquals(run, c.get("run"), "every call in the AI-service call's run\n" + entries);
            }
            assertEquals(true, entries.only("run.summary").get("halted"), entries::toString);
            assertClean(entries);
        }
    }

    /**
     * A {@code TokenStream} assistant: each model call of the tool loop is sent from a Reactor Netty thread after the
     * previous stream completed, never from the thread that started the run. A USD budget per run (1.00 USD, block)
     * still finds every call in that run: three are admitted, the fourth is refused at the budget (the app's
     * {@code onError} gets the 402) and never reaches the provider.
     */
    @Test
    void aTokenStreamAssistantsModelCallsStayInItsRunAcrossThreads() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = simulator(fiveLookups(), true).start()) {
            ForkedApp.Result result = app(sim, "--deployment", "sim-model", "--agent", "--stream")
                    .agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: per-run, scope: run, max_usd: 1.00 }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            String error = result.stdoutLines().stream().filter(l -> l.startsWith("RUN error=")).findFirst()
                    .orElseThrow(() -> new AssertionError(result));
            assertTrue(error.contains("per-run"), error);
            assertEquals(3, sim.requestCount(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(List.of("allow", "allow", "allow", "deny"), calls.stream().map(c -> c.get("decision")).toList(),
                    entries::toString);
            Object run = calls.get(0).get("run");
            assertTrue(run != null, entries::toString);
            for (Map<String, Object> c : calls) {
                assertEquals(run, c.get("run"), "every call in the TokenStream's run\n" + entries);
                assertEquals(true, c.get("stream"), entries::toString);
            }
            assertClean(entries);
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void withoutTheAgentTheAssistantRunsEveryTurn(boolean stream) {
        try (ProviderSimulator sim = simulator(fiveLookups(), stream).start()) {
            ForkedApp fork = app(sim, "--deployment", "sim-model", "--agent");
            ForkedApp.Result result = (stream ? fork.args("--stream") : fork).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("ANSWER finished"), result::toString);
            assertEquals(6, sim.requestCount(), "6 × 0.20 USD = 1.20 USD against a 1.00 USD run budget");
            assertEquals(5, result.stdoutLines().stream().filter(l -> l.startsWith("TOOL_RAN lookup")).count(),
                    result::toString);
        }
    }

    /**
     * The simulator answers the first request 503 with {@code retry-after-ms}; azure-core's retry policy sends the
     * request again from a timer thread, where the first subscription's mark is not: the pipeline's Reactor context
     * carries it to the attempt, so OkHttp's and the JDK client's own hooks leave the retry alone too. One logical
     * call, one {@code llm.call}, two requests on the wire.
     */
    @ParameterizedTest(name = "{0} stream={1}")
    @CsvSource({"netty,false", "okhttp,false", "okhttp,true", "jdk,false"})
    void aRetriedCallIsCountedOnceAtThePipeline(String http, boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = simulator(Script.empty(), stream).unavailableFirst(1)
                .start()) {
            ForkedApp fork = app(sim, "--deployment", "sim-model", "--calls", "2", "--http", http);
            if (stream) {
                fork.args("--stream");
            }
            ForkedApp.Result result = fork.agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: process-cap, scope: process, max_usd: 10.00 }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=2"), result::toString);
            assertEquals(3, sim.requestCount(), "the first call was retried once\n" + result);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(2, calls.size(), "one llm.call per logical call\n" + entries);
            for (Map<String, Object> e : calls) {
                assertEquals("azure-core", e.get("client"), entries::toString);
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
            assertClean(entries);
        }
    }

    /**
     * No server on the endpoint: every attempt fails before any response (azure-core retries three times). The
     * reservation of each failed call is released: with a 0.30 USD cap and about 0.25 USD reserved a call, the
     * second call is still admitted (and fails the same way) instead of being refused at the budget.
     */
    @Test
    void aCallThatFailsBeforeAResponseReleasesItsReservation() throws IOException {
        Path log = dir.resolve("log.jsonl");
        int deadPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        ForkedApp.Result result = ForkedApp.of(AppModule.LANGCHAIN4J_AZURE)
                .args("--endpoint", "http://127.0.0.1:" + deadPort, "--max-tokens", "100", "--deployment", "sim-model",
                        "--calls", "2")
                .agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: process-cap, scope: process, max_usd: 0.30 }
                    """), log).run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("DONE ok=0"), result::toString);
        List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
        assertEquals(2, errors.size(), result::toString);
        for (String error : errors) {
            assertFalse(error.contains("process-cap"), "refused at the budget: a reservation was kept\n" + result);
        }
        EnforcementLog entries = EnforcementLog.read(log);
        List<Map<String, Object>> calls = entries.events("llm.call");
        assertEquals(List.of("allow", "allow"), calls.stream().map(c -> c.get("decision")).toList(), entries::toString);
        assertClean(entries);
    }

    /**
     * Spring AI 1.1's {@code AzureOpenAiChatModel} (the same azure-ai-openai client; {@code call} synchronous,
     * {@code stream} over the asynchronous client): the same seam, the same cap, one {@code llm.call} per request.
     */
    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void springAiAzureOpenAiHoldsTheSameCap(boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp fork = springAi(sim, stream);
            ForkedApp.Result result = fork.agent(AgentJar.requireImplemented(), policy("""
                    budgets:
                      - { name: process-cap, scope: process, max_usd: 1.00 }
                    """), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=4"), result::toString);
            assertEquals(4, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
            assertEquals(6, errors.size(), result::toString);
            for (String error : errors) {
                assertTrue(error.contains("process-cap"), "the app's error names the budget: " + error);
            }
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "exactly one llm.call per request\n" + entries);
            for (Map<String, Object> e : calls) {
                assertEquals("azure-core", e.get("client"), entries::toString);
            }
            for (Map<String, Object> e : calls.subList(0, 4)) {
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
            assertClean(entries);
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void springAiWithoutTheAgentSpendsTwiceTheCap(boolean stream) {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = springAi(sim, stream).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }

    /**
     * LangChain4j 1.9.1's {@code AzureOpenAiStreamingChatModel} stores the stream's handle after {@code subscribe}
     * returns; a first chunk that arrives before that (loopback, a fast machine) reaches the handler with no handle
     * and the call fails with "streamingHandle cannot be null", with or without the agent. A streamed answer waits
     * 50 ms for headers, as a real provider's does, so the scenario tests the agent and not that race.
     */
    private static ProviderSimulator.Builder simulator(Script script, boolean stream) {
        ProviderSimulator.Builder builder = ProviderSimulator.builder(script).usage(100, 50);
        return stream ? builder.latency(Duration.ofMillis(50)) : builder;
    }

    private static ForkedApp springAi(ProviderSimulator sim, boolean stream) {
        ForkedApp fork = ForkedApp.of(AppModule.SPRING_AI_AZURE).args("--endpoint", sim.azureEndpoint(),
                "--deployment", "sim-model", "--max-tokens", "100", "--calls", "10");
        return stream ? fork.args("--stream") : fork;
    }

    private static Script fiveLookups() {
        Script.Builder script = Script.builder();
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        return script.answer("finished").build();
    }
}
