package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AgentSetup;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tollgate beside the OpenTelemetry Java agent, attached before or after it: both instrument the JDK HttpClient, and
 * both work: OTel starts and propagates {@code traceparent} on every request that leaves, Tollgate's tool policy, run
 * limit and LLM budget hold exactly as without OTel; and with the rule file shipped in the jar
 * ({@code otel.jmx.config}) OTel's JMX Metric Insight exports Tollgate's MBeans as OpenTelemetry metrics.
 */
class OtelCoexistenceIT {

    @TempDir
    Path dir;

    private static void assertBothAgentsRan(ForkedApp.Result result, ProviderSimulator sim, EnforcementLog log) {
        assertEquals(0, result.exitCode(), result::toString);
        AgentSetup.assertOtelRan(result, sim.requests());
        assertFalse(result.stderr().contains("Exception in thread"), result::toString);
        assertFalse(result.stderr().contains("could not weave"), "no noise about the other agent's classes\n" + result);
        assertEquals(0, ((Number) log.only("agent.stopped").get("suppressed_errors")).intValue(), log::toString);
    }

    @ParameterizedTest
    @EnumSource(value = AgentSetup.class, names = {"OTEL_FIRST", "TOLLGATE_FIRST"})
    void toolPolicyAndRunLimitHoldInALangChain4jToolLoop(AgentSetup agents) throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - { name: tools-per-run, scope: run, tools: "*", max_calls: 3 }
                """);
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script.answer("finished").build())) {
            ForkedApp.Result result = agents.attach(ForkedApp.of(AppModule.LANGCHAIN4J)
                    .args("--base-url", sim.baseUrl(), "--victim", victim.toString()), policy, log).run();

            EnforcementLog entries = EnforcementLog.read(log);
            assertBothAgentsRan(result, sim, entries);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertTrue(sim.toolResult(Script.callId(1, 0)).orElseThrow().startsWith("blocked by policy: tools.deny[0]"));
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals("deny", entries.toolCalls("delete_file").get(0).get("decision"), entries::toString);
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                    entries.toolCalls("lookup").stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals(7, sim.turnsServed());
            assertEquals(7, entries.events("llm.call").size(), "every model call metered\n" + entries);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AgentSetup.class, names = {"OTEL_FIRST", "TOLLGATE_FIRST"})
    void theLlmBudgetStopsJdkHttpClientCallsAtTheCap(AgentSetup agents) throws IOException {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\n" + HttpClientBudgetIT.PRICES + """
                budgets:
                  - { name: process-cap, scope: process, max_usd: 1.00 }
                """);
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = agents.attach(ForkedApp.of(AppModule.LLM_JDK).args("--base-url", sim.baseUrl(),
                    "--model", "sim-model", "--max-tokens", "100", "--calls", "10"), policy, log).run();

            EnforcementLog entries = EnforcementLog.read(log);
            assertBothAgentsRan(result, sim, entries);
            assertEquals(4, result.stdoutLines().stream().filter(l -> l.matches("CALL \\d+ status=200 .*")).count(),
                    result::toString);
            assertEquals(6, result.stdoutLines().stream().filter(l -> l.matches("CALL \\d+ status=402 .*")).count(),
                    result::toString);
            assertEquals(4, sim.requestCount(), "blocked calls never reach the provider");
            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), entries::toString);
            for (Map<String, Object> call : calls.subList(0, 4)) {
                assertEquals("reported", call.get("usage"), entries::toString);
                assertEquals(0.2, ((Number) call.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = AgentSetup.class, names = {"OTEL_FIRST", "TOLLGATE_FIRST"})
    void tollgateMBeansReachOtelsMetricsExporterThroughTheShippedRuleFile(AgentSetup agents) throws IOException {
        Path rules = dir.resolve("tollgate-jmx.yaml");
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(AgentJar.requireImplemented().toFile())) {
            java.util.zip.ZipEntry entry = jar.getEntry("tollgate-jmx.yaml");
            assertTrue(entry != null, "the rule file is at the root of the agent jar");
            Files.copy(jar.getInputStream(entry), rules);
        }
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\n" + HttpClientBudgetIT.PRICES + """
                budgets:
                  - { name: process-cap, scope: process, max_usd: 1.00 }
                """);
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp app = agents.attach(ForkedApp.of(AppModule.LLM_JDK).args("--base-url", sim.baseUrl(),
                    "--model", "sim-model", "--max-tokens", "100", "--calls", "10", "--linger-ms", "4000"), policy, log)
                    .jvmArg("-Dotel.metrics.exporter=logging").jvmArg("-Dotel.metric.export.interval=500")
                    .jvmArg("-Dotel.jmx.discovery.delay=500").jvmArg("-Dotel.jmx.config=" + rules);
            ForkedApp.Result result = app.run();

            EnforcementLog entries = EnforcementLog.read(log);
            assertBothAgentsRan(result, sim, entries);
            assertEquals(4, sim.requestCount(), result::toString);
            assertTrue(exported(result, "tollgate.llm.calls", "attributes={decision=\"allow\"}, value=4"), result::toString);
            assertTrue(exported(result, "tollgate.llm.calls", "attributes={decision=\"deny\"}, value=6"), result::toString);
            assertTrue(exported(result, "tollgate.budget.spent",
                    "attributes={budget=\"process-cap\", scope=\"process\"}, value=0.8"), result::toString);
            assertTrue(exported(result, "tollgate.budget.limit",
                    "attributes={budget=\"process-cap\", scope=\"process\"}, value=1.0"), result::toString);
            assertTrue(exported(result, "tollgate.agent.suppressed_errors", "value=0"), result::toString);
        }
    }

    /** Whether OTel's logging exporter printed {@code metric} with a point containing {@code point}. */
    private static boolean exported(ForkedApp.Result result, String metric, String point) {
        return result.stderrLines().stream().anyMatch(l -> l.contains("name=" + metric + ",") && l.contains(point));
    }
}
