package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.RecordedResponse;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app that calls providers by hand with {@code java.net.http.HttpClient} (sync, async, every body handler,
 * streaming, gzip) or Apache HttpClient 5: every call is metered from the provider's own usage, the budget cap holds without a single
 * extra request reaching the simulator, and the bytes the app reads are exactly those the simulator wrote.
 */
class HttpClientBudgetIT {

    static final String SECRET = "sk-test-SECRET-123";
    /** sim-model at 1000 USD/MTok in and 2000 out: 100 prompt + 50 completion tokens cost exactly 0.20 USD. */
    static final String PRICES = """
            pricing:
              models:
                sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
            """;
    static final Pattern CALL = Pattern.compile("^CALL (\\d+) status=(\\d+) bytes=(\\d+) sha256=([0-9a-f]+)");

    @TempDir
    Path dir;

    private Path policy(String body) throws IOException {
        return Files.writeString(dir.resolve("policy-" + System.nanoTime() + ".yaml"), "version: 1\n" + PRICES + body);
    }

    private static Path processCap(HttpClientBudgetIT it, String onExceed) throws IOException {
        return it.policy("""
                budgets:
                  - name: process-cap
                    scope: process
                    max_usd: 1.00
                    warn_at: [0.5]
                    on_exceed: %s
                """.formatted(onExceed));
    }

    private static ProviderSimulator simulator() {
        return ProviderSimulator.builder(Script.empty()).usage(100, 50).start();
    }

    private ForkedApp app(ProviderSimulator sim, String... args) {
        return ForkedApp.of(AppModule.LLM_JDK).args("--base-url", sim.baseUrl(), "--model", "sim-model",
                "--max-tokens", "100").args(args);
    }

    private static List<String[]> calls(ForkedApp.Result result) {
        List<String[]> calls = new ArrayList<>();
        for (String line : result.stdoutLines()) {
            Matcher m = CALL.matcher(line);
            if (m.find()) {
                calls.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
            }
        }
        return calls;
    }

    private static long statusCount(ForkedApp.Result result, String status) {
        return calls(result).stream().filter(c -> c[1].equals(status)).count();
    }

    private static void assertNoSecrets(EnforcementLog log) {
        String text = log.text();
        assertFalse(text.contains(SECRET), "API key in the log");
        assertFalse(text.toLowerCase().contains("bearer"), "Authorization header in the log");
        assertFalse(text.contains("capital of France"), "prompt text in the log");
    }

    private static void assertNoSuppressedErrors(EnforcementLog log) {
        assertEquals(0, ((Number) log.only("agent.stopped").get("suppressed_errors")).intValue(), log::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sync", "async", "http2", "hc5", "hc5-async", "reactor-netty"})
    void theProcessBudgetStopsCallsAtTheCapAndBlockedCallsNeverLeaveTheJvm(String how) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = simulator()) {
            ForkedApp app = app(sim, "--calls", "10");
            if (how.equals("async")) {
                app.args("--async");
            } else if (how.equals("http2")) {
                app.args("--http2"); // h2c upgrade offered; the simulator answers HTTP/1.1
            } else if (how.startsWith("hc5") || how.equals("reactor-netty")) {
                app.args("--client", how);
            }
            ForkedApp.Result result = app.agent(AgentJar.requireImplemented(), processCap(this, "block"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            // 0.20 USD a call, 0.244 USD reserved before each: the fifth would pass 1.00 USD
            assertEquals(4, statusCount(result, "200"), result::toString);
            if (how.equals("reactor-netty")) {
                // no response to answer with: the send fails with Tollgate's typed, non-retryable refusal
                assertEquals(6, result.stdoutLines().stream().filter(l -> l.matches(
                        "CALL \\d+ error=dev\\.tollgate\\.bootstrap\\.LlmCallRefusedException: .*process-cap.*"))
                        .count(), result::toString);
            } else {
                assertEquals(6, statusCount(result, "402"), result::toString);
                assertTrue(result.stdout().contains("budget_exceeded"), result::toString);
            }
            assertEquals(4, sim.requestCount(), "blocked calls must not reach the provider");
            assertTrue(result.stdout().contains("process-cap"), "the error names the budget\n" + result);

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llm = entries.events("llm.call");
            assertEquals(10, llm.size(), entries::toString);
            assertEquals(4, llm.stream().filter(e -> "allow".equals(e.get("decision"))).count(), entries::toString);
            for (Map<String, Object> e : llm.subList(0, 4)) {
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(100, ((Number) e.get("input_tokens")).intValue());
                assertEquals(50, ((Number) e.get("output_tokens")).intValue());
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9);
                assertEquals("sim-model", e.get("model"));
                assertEquals(switch (how) {
                    case "hc5" -> "apache-httpclient5";
                    case "hc5-async" -> "apache-httpclient5-async";
                    case "reactor-netty" -> "reactor-netty";
                    default -> "jdk-httpclient";
                }, e.get("client"));
            }
            assertEquals(6, llm.stream().filter(e -> "deny".equals(e.get("decision"))).count(), entries::toString);
            Map<String, Object> exceeded = entries.only("budget.exceeded");
            assertEquals("process-cap", exceeded.get("budget"));
            assertEquals("process", exceeded.get("scope"));
            assertEquals(0.8, ((Number) exceeded.get("spent_usd")).doubleValue(), 1e-9);
            assertEquals(1.0, ((Number) exceeded.get("limit_usd")).doubleValue(), 1e-9);
            assertEquals(1, entries.events("budget.warning").size(), "warn_at 0.5 once\n" + entries);
            assertNoSecrets(entries);
            assertNoSuppressedErrors(entries);

            // the operator's view of the same log, from the same jar
            ForkedApp.Result report = ForkedApp.jar(AgentJar.requireImplemented())
                    .args("report", "--log", log.toString(), "--format", "json").run();
            assertEquals(0, report.exitCode(), report::toString);
            assertTrue(report.stdout().contains("\"total_usd\" : 0.8,"), report::toString);
            assertTrue(report.stdout().contains("\"llm_calls\" : 4,"), report::toString);
            assertTrue(report.stdout().contains("\"refusals\" : 6,"), report::toString);
            assertTrue(report.stdout().contains("\"name\" : \"process-cap\""), report::toString);

            // the same recorded run replayed against a cap of 0.50 USD: calls 3 and 4 would not have been made
            Path half = policy("""
                    budgets:
                      - { name: half-cap, scope: process, max_usd: 0.50 }
                    """);
            ForkedApp.Result simulated = ForkedApp.jar(AgentJar.requireImplemented())
                    .args("simulate", "--policy", half.toString(), "--log", log.toString(), "--format", "json").run();
            assertEquals(0, simulated.exitCode(), simulated::toString);
            String json = simulated.stdout().replaceAll("\\s+", "");
            assertTrue(json.contains("\"llm_calls\":4,\"refused_when_recorded\":6,\"recorded_usd\":0.8,"
                    + "\"refused_calls\":2,\"saved_usd\":0.4,\"simulated_usd\":0.4"), simulated::toString);
            assertTrue(json.contains("\"name\":\"half-cap\",\"rule\":\"budgets[0]\""), simulated::toString);
        }
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheSameAppOverspends() {
        try (ProviderSimulator sim = simulator()) {
            ForkedApp.Result result = app(sim, "--calls", "10").run();

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(10, statusCount(result, "200"), result::toString);
            assertEquals(10, sim.requestCount(), "10 × 0.20 USD = 2.00 USD against a 1.00 USD cap");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"string", "bytes", "lines", "inputstream", "publisher"})
    void streamedBodiesReachTheAppByteIdenticalAndAreMeteredFromTheUsageChunk(String read) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).splitEvents(7).start()) {
            ForkedApp.Result result = app(sim, "--calls", "2", "--stream", "--read", read)
                    .agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            List<String[]> calls = calls(result);
            assertEquals(2, calls.size(), result::toString);
            List<RecordedResponse> written = sim.responses();
            for (int i = 0; i < 2; i++) {
                assertEquals("200", calls.get(i)[1], result::toString);
                if (!read.equals("lines")) { // ofLines drops the line terminators
                    assertEquals(written.get(i).sha256(), calls.get(i)[3], "byte-identical body, call " + (i + 1));
                }
            }
            EnforcementLog entries = EnforcementLog.read(log);
            for (Map<String, Object> e : entries.events("llm.call")) {
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(true, e.get("stream"));
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
            assertNoSecrets(entries);
            assertNoSuppressedErrors(entries);
        }
    }

    /**
     * Apache HttpClient 5's async client (what Ktor's Apache 5 engine, Koog's default, sends with) and Reactor Netty's
     * {@code HttpClient} used directly: a streamed answer in 7-byte pieces reaches the app byte-identical, chunk by
     * chunk, and is metered from its usage chunk; an OpenAI and an Anthropic stream.
     */
    @ParameterizedTest
    @CsvSource({"hc5-async,chat", "hc5-async,anthropic", "reactor-netty,chat", "reactor-netty,anthropic"})
    void asyncClientsStreamsReachTheAppByteIdenticalAndAreMetered(String client, String api) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).splitEvents(7).start()) {
            String base = api.equals("anthropic") ? sim.anthropicBaseUrl() + "/v1" : sim.baseUrl();
            ForkedApp.Result result = ForkedApp.of(AppModule.LLM_JDK).args("--base-url", base, "--api", api,
                    "--model", "sim-model", "--max-tokens", "100", "--calls", "2", "--stream", "--client", client)
                    .agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            List<String[]> calls = calls(result);
            assertEquals(2, calls.size(), result::toString);
            List<RecordedResponse> written = sim.responses();
            for (int i = 0; i < 2; i++) {
                assertEquals("200", calls.get(i)[1], result::toString);
                assertEquals(written.get(i).sha256(), calls.get(i)[3], "byte-identical body, call " + (i + 1));
            }
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llm = entries.events("llm.call");
            assertEquals(2, llm.size(), entries::toString);
            for (Map<String, Object> e : llm) {
                assertEquals(client.equals("hc5-async") ? "apache-httpclient5-async" : "reactor-netty", e.get("client"),
                        entries::toString);
                assertEquals("reported", e.get("usage"), entries::toString);
                assertEquals(true, e.get("stream"), entries::toString);
                assertEquals(true, e.get("complete"), entries::toString);
                assertEquals(0.2, ((Number) e.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
            assertNoSecrets(entries);
            assertNoSuppressedErrors(entries);
        }
    }

    @Test
    void anAbandonedStreamIsChargedFromTheEstimate() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).answerBytes(200_000)
                .start()) {
            ForkedApp.Result result = app(sim, "--calls", "1", "--stream", "--read", "abandon")
                    .agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            Map<String, Object> call = entries.only("llm.call");
            assertEquals("estimated", call.get("usage"), call::toString);
            assertEquals(false, call.get("complete"), call::toString);
            assertTrue(((Number) call.get("cost_usd")).doubleValue() > 0, "an abandoned call is not free\n" + call);
            assertTrue(((Number) call.get("input_tokens")).intValue() > 0, call::toString);
            assertNoSuppressedErrors(entries);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void gzipBodiesReachTheAppAsSentAndAreMetered(boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).gzip(true).start()) {
            ForkedApp app = app(sim, "--calls", "1", "--gzip", "--read", "bytes");
            if (stream) {
                app.args("--stream");
            }
            ForkedApp.Result result = app.agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            RecordedResponse written = sim.lastResponse();
            assertTrue(written.gzipped(), "the simulator gzipped the body");
            assertEquals(written.gzipSha256(), calls(result).get(0)[3], "the app reads the gzip bytes untouched");
            Map<String, Object> call = EnforcementLog.read(log).only("llm.call");
            assertEquals("reported", call.get("usage"), call::toString);
            assertEquals(0.2, ((Number) call.get("cost_usd")).doubleValue(), 1e-9, call::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"anthropic", "responses", "gemini"})
    void otherProvidersAreMeteredFromTheirOwnUsageFields(String api) throws IOException {
        for (boolean stream : new boolean[] {false, true}) {
            Path log = dir.resolve("log-" + api + "-" + stream + ".jsonl");
            try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).cachedTokens(40)
                    .start()) {
                String base = api.equals("anthropic") ? sim.anthropicBaseUrl() + "/v1"
                        : api.equals("gemini") ? sim.geminiBaseUrl() + "/v1beta" : sim.baseUrl();
                ForkedApp app = ForkedApp.of(AppModule.LLM_JDK).args("--base-url", base, "--api", api,
                        "--model", "sim-model", "--max-tokens", "100", "--calls", "1");
                if (stream) {
                    app.args("--stream");
                }
                ForkedApp.Result result = app.agent(AgentJar.requireImplemented(), policy(""), log).run();

                assertEquals(0, result.exitCode(), result::toString);
                assertEquals("200", calls(result).get(0)[1], result::toString);
                assertEquals(sim.lastResponse().sha256(), calls(result).get(0)[3], "byte-identical");
                Map<String, Object> call = EnforcementLog.read(log).only("llm.call");
                assertEquals("reported", call.get("usage"), call::toString);
                assertEquals(100, ((Number) call.get("input_tokens")).intValue(), call::toString);
                assertEquals(40, ((Number) call.get("cached_tokens")).intValue(), call::toString);
                assertEquals(50, ((Number) call.get("output_tokens")).intValue(), call::toString);
                // 60 plain input at 1000/MTok + 40 cached (no cache price: input rate) + 50 output at 2000/MTok
                assertEquals(0.2, ((Number) call.get("cost_usd")).doubleValue(), 1e-9, call::toString);
            }
        }
    }

    @Test
    void haltEndsTheRunWithBudgetExceededException() throws IOException {
        Path log = dir.resolve("log.jsonl");
        Path policy = policy("""
                budgets:
                  - name: run-cap
                    scope: run
                    max_usd: 0.50
                    on_exceed: halt
                runs:
                  entry_points: ["dev.tollgate.it.apps.llmjdk.LlmClientApp#agentRun"]
                """);
        try (ProviderSimulator sim = simulator()) {
            ForkedApp.Result result = app(sim, "--calls", "5", "--in-run")
                    .agent(AgentJar.requireImplemented(), policy, log).run();

            assertTrue(result.exitCode() != 0, result::toString);
            assertFalse(result.stdout().contains("DONE"), result::toString);
            assertTrue(result.stderr().contains("dev.tollgate.bootstrap.BudgetExceededException"), result::toString);
            assertTrue(result.stderr().contains("run-cap"), result::toString);
            // reserved 0.244 fits at 0.00 and 0.20 spent, not at 0.40: two calls go out, the third halts the run
            assertEquals(2, sim.requestCount(), result::toString);
        }
    }
}
