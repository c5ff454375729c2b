package dev.tollgate.it;

import dev.tollgate.it.harness.AgentSetup;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
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
 * A Spring Boot 3.5 application packaged as an executable fat jar and run with {@code java -jar}: Boot's
 * {@code JarLauncher} loads the app and every library (Spring AI 1.1.8, Spring Framework, Jackson) from the nested
 * jars under {@code BOOT-INF/lib} through its {@code LaunchedClassLoader}, and Spring AI's Boot auto-configuration
 * builds the {@code ChatClient}. Tollgate is attached alone and beside the OpenTelemetry Java agent in both orders:
 * the tool policy and the run limit (in a {@code ChatClient} call, and in a stream) and the USD budget hold exactly
 * as on a flat class path, Tollgate says nothing on stderr but its own lines, no advice error is swallowed, and OTel
 * still propagates {@code traceparent}. Without an agent the same jar deletes the file and spends past the cap.
 */
class SpringBootFatJarIT {

    private static final String LAUNCHED_CLASS_LOADER = "org.springframework.boot.loader.launch.LaunchedClassLoader";
    private static final String SECRET = "sk-test-SECRET-123";

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim.txt"), "precious");
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= 5; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        return script.answer("finished").build();
    }

    /** The id of the call that looks up k{n}: turn n+1 (turn 1 is the delete). */
    private static String lookupCall(int n) {
        return Script.callId(n + 1, 0);
    }

    private ForkedApp toolLoop(ProviderSimulator sim, boolean stream) {
        ForkedApp app = ForkedApp.of(AppModule.SPRING_BOOT_FATJAR)
                .args("tool-loop", "--base-url", sim.baseUrl(), "--victim", victim.toString());
        return stream ? app.args("--stream") : app;
    }

    /**
     * The tool loop as one {@code ChatClient} call under every agent set-up; streamed (the model over WebClient, the
     * tool rounds on Reactor's worker threads, helper classes defined into Boot's loader) alone and beside OTel.
     */
    static Stream<Arguments> toolLoops() {
        return Stream.of(
                Arguments.of(AgentSetup.TOLLGATE_ALONE, false),
                Arguments.of(AgentSetup.OTEL_FIRST, false),
                Arguments.of(AgentSetup.TOLLGATE_FIRST, false),
                Arguments.of(AgentSetup.TOLLGATE_ALONE, true),
                Arguments.of(AgentSetup.OTEL_FIRST, true));
    }

    private static ForkedApp budget(ProviderSimulator sim) {
        return ForkedApp.of(AppModule.SPRING_BOOT_FATJAR)
                .args("budget", "--base-url", sim.baseUrl(), "--calls", "10", "--max-tokens", "100");
    }

    /** The app really ran from the fat jar: Spring AI came from Boot's nested-jar class loader. */
    private static void assertLaunchedFromTheFatJar(ForkedApp.Result result) {
        assertEquals(List.of("LOADER " + LAUNCHED_CLASS_LOADER),
                result.stdoutLines().stream().filter(l -> l.startsWith("LOADER ")).toList(), result::toString);
    }

    /**
     * Both agents started and stayed quiet; Tollgate wove Spring AI's tool dispatch and Spring's RestClient inside the
     * fat jar (their versions read through the loader of the woven class) and swallowed no error.
     */
    private static void assertAgentsRanCleanly(AgentSetup agents, ForkedApp.Result result, ProviderSimulator sim,
            EnforcementLog log, String... chokePoints) {
        assertEquals(0, result.exitCode(), result::toString);
        assertLaunchedFromTheFatJar(result);
        assertFalse(result.stderr().contains("Exception in thread"), result::toString);
        assertFalse(result.stderr().contains("could not weave"), result::toString);
        assertFalse(result.stderr().contains("[tollgate] WARN"), result::toString);
        assertFalse(result.stderr().contains("[tollgate] ERROR"), result::toString);
        assertFalse(result.stderr().contains(SECRET), result::toString);
        if (!agents.withOtel()) {
            assertTrue(result.stderrLines().stream().allMatch(l -> l.startsWith("[tollgate] ")),
                    "nothing on the host's stderr but Tollgate's own lines (no JVM or Boot warning)\n" + result);
        } else {
            AgentSetup.assertOtelRan(result, sim.requests());
        }
        List<Map<String, Object>> coverage = log.events("coverage");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> woven = (List<Map<String, Object>>) coverage.get(coverage.size() - 1)
                .get("instrumentations");
        for (String chokePoint : chokePoints) {
            String framework = chokePoint.substring(0, chokePoint.indexOf(' '));
            String point = chokePoint.substring(chokePoint.indexOf(' ') + 1);
            assertTrue(woven.stream().anyMatch(w -> framework.equals(w.get("framework"))
                    && String.valueOf(w.get("choke_point")).contains(point)),
                    framework + " " + point + " woven inside the fat jar\n" + log);
        }
        assertEquals("1.1.8", woven.stream().filter(w -> "spring-ai".equals(w.get("framework")))
                .map(w -> w.get("version")).findFirst().orElse("spring-ai not woven"), log::toString);
        assertEquals(0, ((Number) log.only("agent.stopped").get("suppressed_errors")).intValue(), log::toString);
    }

    @Test
    @WithoutTheAgent
    void withoutAnAgentTheToolLoopDeletesTheFileAndRunsEveryLookup() throws IOException {
        try (ProviderSimulator sim = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = toolLoop(sim, false).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertLaunchedFromTheFatJar(result);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals(7, sim.turnsServed());
        }
    }

    @Test
    @WithoutTheAgent
    void withoutAnAgentTheBudgetAppSpendsTwiceTheCap() {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = budget(sim).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertLaunchedFromTheFatJar(result);
            assertTrue(result.stdoutLines().contains("DONE ok=10"), result::toString);
            assertEquals(10, sim.requestCount(), result::toString);
        }
    }

    @ParameterizedTest(name = "{0} stream={1}")
    @MethodSource("toolLoops")
    void deniedToolNeverRunsAndTheRunLimitRefusesTheFourthLookup(AgentSetup agents, boolean stream) throws IOException {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - { name: tools-per-run, scope: run, tools: "*", max_calls: 3 }
                """);
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(deleteThenFiveLookups())) {
            ForkedApp.Result result = agents.attach(toolLoop(sim, stream), policy, log).run();

            EnforcementLog entries = EnforcementLog.read(log);
            assertAgentsRanCleanly(agents, result, sim, entries, "spring-ai tool dispatch",
                    stream ? "spring-ai streaming run entry (ChatClient stream)" : "spring-ai run entry (ChatClient call)",
                    stream ? "spring-webflux WebClient" : "spring-web ClientHttpRequest");
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);

            // the side effect was prevented, and the model was told why
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = sim.toolResult(Script.callId(1, 0)).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);
            Map<String, Object> delete = entries.toolCalls("delete_file").get(0);
            assertEquals("deny", delete.get("decision"), entries::toString);
            assertEquals(true, delete.get("enforced"), entries::toString);
            assertEquals("spring-ai", delete.get("framework"), entries::toString);

            // three lookups ran, the run limit refused the other two, the conversation went on
            assertEquals(3, result.countStdout("TOOL_RAN lookup"), result::toString);
            for (int k = 4; k <= 5; k++) {
                String limited = sim.toolResult(lookupCall(k)).orElseThrow();
                assertTrue(limited.startsWith("blocked by policy: limits[0]"), limited);
            }
            assertEquals(List.of("allow", "allow", "allow", "deny", "deny"),
                    entries.toolCalls("lookup").stream().map(c -> c.get("decision")).toList(), entries::toString);
            assertEquals(1, entries.events("tool.call").stream().map(c -> c.get("run")).distinct().count(),
                    "one ChatClient call is one run\n" + entries);
            assertEquals("tools-per-run", entries.first("limit.exceeded").orElseThrow().get("limit"));

            // every model round trip was metered once, at Spring's RestClient (WebClient when streamed)
            assertEquals(7, sim.turnsServed());
            List<Map<String, Object>> llmCalls = entries.events("llm.call");
            assertEquals(7, llmCalls.size(), entries::toString);
            for (Map<String, Object> call : llmCalls) {
                assertEquals(stream ? "spring-webclient" : "spring-restclient", call.get("client"), entries::toString);
            }
            assertFalse(entries.text().contains(victim.getFileName().toString()), "no tool argument in the log");
        }
    }

    @ParameterizedTest
    @EnumSource(AgentSetup.class)
    void theBudgetCapHoldsAndRefusedCallsAreNotRetried(AgentSetup agents) throws IOException {
        // 0.20 USD a call (100 prompt + 50 completion tokens); each call reserves its prompt estimate + 100 output
        // tokens first, so a 1.00 USD cap admits exactly four
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
                budgets:
                  - { name: process-cap, scope: process, max_usd: 1.00 }
                """);
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result result = agents.attach(budget(sim), policy, log).run();

            EnforcementLog entries = EnforcementLog.read(log);
            assertAgentsRanCleanly(agents, result, sim, entries, "spring-web ClientHttpRequest");
            assertTrue(result.stdoutLines().contains("DONE ok=4"), result::toString);
            assertEquals(4, sim.requestCount(), "refused calls never reach the provider and are not retried\n" + result);
            List<String> errors = result.stdoutLines().stream().filter(l -> l.contains(" error=")).toList();
            assertEquals(6, errors.size(), result::toString);
            for (String error : errors) {
                assertTrue(error.contains("process-cap"), "the app's error names the budget: " + error);
            }

            List<Map<String, Object>> calls = entries.events("llm.call");
            assertEquals(10, calls.size(), "exactly one llm.call per request\n" + entries);
            assertEquals(List.of("allow", "allow", "allow", "allow", "deny", "deny", "deny", "deny", "deny", "deny"),
                    calls.stream().map(c -> c.get("decision")).toList(), entries::toString);
            for (Map<String, Object> call : calls.subList(0, 4)) {
                assertEquals("spring-restclient", call.get("client"), entries::toString);
                assertEquals("reported", call.get("usage"), entries::toString);
                assertEquals(0.2, ((Number) call.get("cost_usd")).doubleValue(), 1e-9, entries::toString);
            }
            assertEquals("process-cap", entries.first("budget.exceeded").orElseThrow().get("budget"));
            assertFalse(entries.text().contains("capital of France"), "no prompt in the log");
        }
    }
}
