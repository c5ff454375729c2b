package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A policy with a budget, on a LangChain4j app whose model traffic goes through a client no instrumentation hooks
 * ({@code HttpURLConnection} behind LangChain4j's {@code HttpClient} SPI, as Quarkus' Vert.x client would be): the
 * agent sees the tool calls but not one LLM call. It says so once, loudly: a {@code coverage.gap} line in the log and
 * one {@code [tollgate] WARNING} line on stderr; with {@code coverage: {require: [llm]}} it refuses the governed
 * calls it does see. The same policy on the ordinary app (JDK HttpClient, hooked) reports no gap. An instrumentation
 * switched off with {@code instrumentation.<name>.enabled=false} shows in the coverage event and governs nothing.
 */
class CoverageGapIT {

    static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;
    private Path victim;
    private Script script;

    @BeforeEach
    void setUp() throws IOException {
        victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        script = Script.builder().callTool("delete_file", "path", victim.toString()).callTool("lookup", "key", "k1")
                .answer("finished").build();
    }

    private Path policy(String extra) throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                budgets:
                  - { name: per-run, scope: run, max_usd: 0.50 }
                """ + extra);
    }

    private ForkedApp app(AppModule app, ProviderSimulator sim) {
        return ForkedApp.of(app).args("--base-url", sim.baseUrl(), "--victim", victim.toString());
    }

    private static List<String> warnings(ForkedApp.Result result) {
        return result.stderrLines().stream().filter(l -> l.startsWith("[tollgate] WARNING")).toList();
    }

    @Test
    void aBudgetNoLlmClientCanMeterIsReportedOnceInTheLogAndOnStderr() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J_UNHOOKED_CLIENT, sim)
                    .agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "the policy allows the tool: only the gap is reported");
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(0, entries.events("llm.call").size(), "no LLM call is seen\n" + entries);
            Map<String, Object> gap = entries.only("coverage.gap");
            assertEquals(List.of("llm"), gap.get("missing"), entries::toString);
            assertEquals(false, gap.get("enforced"), entries::toString);
            assertEquals("tool call", gap.get("at"), entries::toString);
            assertTrue(String.valueOf(gap.get("reason")).contains("budgets cannot count a single LLM call"),
                    entries::toString);
            List<String> warnings = warnings(result);
            assertEquals(1, warnings.size(), result::toString);
            assertTrue(warnings.get(0).contains("no HTTP client that carries LLM calls is instrumented"), warnings.get(0));
            assertTrue(warnings.get(0).contains("coverage: {require: [llm]}"), "says how to make it an error");
            assertEquals(2, entries.events("tool.call").size(), entries::toString);
            assertFalse(entries.text().contains(SECRET), "no API key in the log");
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    @Test
    void requiredLlmCoverageRefusesTheGovernedCallsUntilCovered() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J_UNHOOKED_CLIENT, sim)
                    .agent(AgentJar.requireImplemented(), policy("coverage: { require: [llm] }\n"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(Files.exists(victim), "the tool is refused while the policy cannot be enforced");
            assertEquals(0, result.countStdout("TOOL_RAN"), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            Map<String, Object> gap = entries.only("coverage.gap");
            assertEquals(true, gap.get("enforced"), entries::toString);
            List<Map<String, Object>> tools = entries.events("tool.call");
            assertEquals(2, tools.size(), entries::toString);
            for (Map<String, Object> call : tools) {
                assertEquals("deny", call.get("decision"), entries::toString);
                assertEquals("coverage.require", call.get("rule"), entries::toString);
            }
            assertTrue(sim.toolResult(Script.callId(1, 0)).orElseThrow().startsWith("blocked by policy: coverage.require"),
                    "the model is told why");
            assertEquals(1, warnings(result).size(), result::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    @Test
    void theSamePolicyOnAHookedClientReportsNoGap() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J, sim)
                    .agent(AgentJar.requireImplemented(), policy("coverage: { require: [llm, tools] }\n"), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(0, entries.events("coverage.gap").size(), entries::toString);
            assertEquals(List.of(), warnings(result), result::toString);
            assertEquals(3, entries.events("llm.call").size(), entries::toString);
            assertFalse(Files.exists(victim), "covered: the policy allows the tool");
        }
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheUnhookedAppRunsTheToolsAndCallsTheModel() {
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J_UNHOOKED_CLIENT, sim).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), result::toString);
            assertEquals(3, sim.requestCount(), result::toString);
        }
    }

    @Test
    void aSwitchedOffInstrumentationShowsInCoverageAndGovernsNothing() throws IOException {
        Path log = dir.resolve("log.jsonl");
        Path policy = Files.writeString(dir.resolve("deny.yaml"), "version: 1\ntools: { deny: [\"delete_*\"] }\n");
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J, sim)
                    .jvmArg("-Dtollgate.instrumentation.langchain4j.enabled=false")
                    .agent(AgentJar.requireImplemented(), policy, log).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(Files.exists(victim), "switched off: the denied tool runs");
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(0, entries.events("tool.call").size(), entries::toString);
            Map<String, Object> first = entries.events("coverage").get(0);
            assertFalse(((List<?>) first.get("installed")).contains("langchain4j"), entries::toString);
            assertEquals(List.of(Map.of("framework", "langchain4j",
                    "disabled_by", "system property tollgate.instrumentation.langchain4j.enabled=false")),
                    first.get("disabled"), entries::toString);
            assertTrue(result.stderrLines().contains("[tollgate] instrumentation langchain4j is switched off"
                    + " (system property tollgate.instrumentation.langchain4j.enabled=false)"), result::toString);
        }
    }

    @Test
    void aSwitchedOffLlmClientIsNamedInTheGap() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script)) {
            ForkedApp.Result result = app(AppModule.LANGCHAIN4J, sim)
                    .jvmArg("-Dtollgate.instrumentation.jdk-httpclient.enabled=false")
                    .agent(AgentJar.requireImplemented(), policy(""), log).run();

            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals(0, entries.events("llm.call").size(), entries::toString);
            Map<String, Object> gap = entries.only("coverage.gap");
            assertEquals(List.of("jdk-httpclient switched off (system property"
                    + " tollgate.instrumentation.jdk-httpclient.enabled=false)"), gap.get("not_woven"), entries::toString);
            List<String> warnings = warnings(result);
            assertEquals(1, warnings.size(), result::toString);
            assertTrue(warnings.get(0).contains("Not woven: jdk-httpclient switched off"), warnings.get(0));
        }
    }
}
