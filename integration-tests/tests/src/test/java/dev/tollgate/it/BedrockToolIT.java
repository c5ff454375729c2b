package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ToolLoopScript;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.tollgate.it.harness.ToolLoopScript.lookupCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An unmodified LangChain4j AiServices app on AWS Bedrock ({@code BedrockChatModel}, and
 * {@code BedrockStreamingChatModel} whose calls after the first go out from the AWS SDK's threads) runs the scripted
 * tool loop: delete a file, then look up five keys. The denied tool never runs and the model reads the refusal in
 * Bedrock's {@code toolResult}; every Bedrock call of the loop counts against the AI-service call's run (the run the
 * tools see), which a run-scoped budget caps: 0.0105 USD a call, 0.05 USD a run, so the sixth call is refused and
 * the run ends. Without the agent the file is deleted and the loop runs to its answer (seven calls, 0.0735 USD).
 */
class BedrockToolIT {

    private static final String DELETE_CALL = Script.callId(1, 0);

    @TempDir
    Path dir;

    private Path victim;

    private Script deleteThenFiveLookups() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    private Path policy() throws IOException {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                tools:
                  default: allow
                  deny: ["delete_*"]
                budgets:
                  - name: run-cap
                    scope: run
                    max_usd: 0.05
                """);
    }

    private ForkedApp app(ProviderSimulator sim, boolean stream) {
        ForkedApp fork = ForkedApp.of(AppModule.LANGCHAIN4J_BEDROCK_TOOLS)
                .args("--endpoint", sim.bedrockEndpoint(), "--victim", victim.toString());
        if (stream) {
            fork.args("--stream");
        }
        return fork;
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    @WithoutTheAgent
    void withoutTheAgentTheFileIsDeletedAndTheLoopRunsToItsAnswer(boolean stream) throws IOException {
        try (ProviderSimulator sim = ProviderSimulator.builder(deleteThenFiveLookups()).usage(1000, 500).start()) {
            ForkedApp.Result result = app(sim, stream).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool really deletes the file");
            assertEquals(1, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(5, result.countStdout("TOOL_RAN lookup"), result::toString);
            assertEquals("value-of-k5", sim.toolResult(lookupCall(5)).orElseThrow());
            assertEquals(7, sim.requestCount());
        }
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {false, true})
    void theDeniedToolNeverRunsAndEveryCallCountsAgainstTheRun(boolean stream) throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(deleteThenFiveLookups()).usage(1000, 500).start()) {
            ForkedApp.Result result = app(sim, stream).agent(AgentJar.requireImplemented(), policy(), log).run();

            assertTrue(Files.exists(victim), "the denied tool must not run\n" + result);
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            String refusal = sim.toolResult(DELETE_CALL).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: tools.deny[0]"), refusal);

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            List<Map<String, Object>> tools = entries.events("tool.call");
            assertFalse(tools.isEmpty(), entries::toString);
            Object run = tools.get(0).get("run");
            assertNotNull(run, entries::toString);
            for (Map<String, Object> e : tools) {
                assertEquals(run, e.get("run"), "one AI-service call is one run\n" + entries);
            }
            for (Map<String, Object> e : calls) {
                assertEquals(run, e.get("run"), "every Bedrock call of the loop is the run's\n" + entries);
                assertEquals("aws-sdk", e.get("client"), entries::toString);
            }
            // 0.0105 USD a call: four settled (0.042) plus the fifth's reservation (0.0092) pass 0.05. A streamed
            // call is settled when its metadata event passes, before LangChain4j sees the stream end and sends the
            // next call: no reservation of the previous call is still held then
            long allowed = calls.stream().filter(e -> "allow".equals(e.get("decision"))).count();
            long denied = calls.stream().filter(e -> "deny".equals(e.get("decision"))).count();
            assertEquals(4, allowed, entries::toString);
            assertEquals(1, denied, entries::toString);
            assertTrue(String.valueOf(calls.get(calls.size() - 1).get("reason")).contains("with 0 USD reserved"),
                    entries::toString);
            assertEquals(4, sim.requestCount(), "the refused call never reached Bedrock\n" + result);
            assertFalse(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }

    /**
     * The streamed loop's first request is answered 503: the SDK retries it from its own retry thread, where no
     * framework carries the run; the attempt still counts against the AI-service run (the run was lent to the
     * execution when it began), and the failed attempt's reservation is released, not charged.
     */
    @org.junit.jupiter.api.Test
    void anAttemptTheSdkRetriesFromItsOwnThreadCountsAgainstTheRunAndAFailedOneIsReleased() throws IOException {
        Path log = dir.resolve("log.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(deleteThenFiveLookups()).usage(1000, 500)
                .bedrockUnavailable(1).start()) {
            ForkedApp.Result result = app(sim, true).agent(AgentJar.requireImplemented(), policy(), log).run();

            assertTrue(Files.exists(victim), "the denied tool must not run\n" + result);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("llm.call");
            Object run = entries.events("tool.call").get(0).get("run");
            assertNotNull(run, entries::toString);
            for (Map<String, Object> e : calls) {
                assertEquals(run, e.get("run"), "the retried attempt is the run's too\n" + entries);
            }
            List<Map<String, Object>> failed = calls.stream().filter(e -> Integer.valueOf(503).equals(e.get("status")))
                    .toList();
            assertEquals(1, failed.size(), entries::toString);
            assertEquals(0.0, ((Number) failed.get(0).get("cost_usd")).doubleValue(), entries::toString);
            // the released attempt costs nothing: four calls are settled before the fifth is refused, as without it
            assertEquals(4, calls.stream().filter(e -> "allow".equals(e.get("decision"))
                    && Integer.valueOf(200).equals(e.get("status"))).count(), entries::toString);
            assertEquals(1, calls.stream().filter(e -> "deny".equals(e.get("decision"))).count(), entries::toString);
            assertEquals(5, sim.requestCount(), result::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
        }
    }
}
