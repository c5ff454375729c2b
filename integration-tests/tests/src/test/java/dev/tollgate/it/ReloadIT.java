package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reload without restart, in a forked LangChain4j app whose tool loop (two lookups, a delete, three lookups; each model
 * turn takes 3 s) crosses a change of its policy file made once the second lookup has run. A valid change is in force
 * for the rest of the same run: the delete it now denies never runs, and the run limit it lowers counts the calls made
 * before it. A broken change keeps the running policy (policy.error with file:line:col, on stderr too). Without the
 * agent the same loop deletes the file.
 */
class ReloadIT {

    private static final Duration TURN = Duration.ofSeconds(3); // room for the 500 ms watcher under CI load

    @TempDir
    Path dir;

    private Path victim;

    private Script script() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return Script.builder().callTool("lookup", "key", "k1").callTool("lookup", "key", "k2")
                .callTool("delete_file", "path", victim.toString()).callTool("lookup", "key", "k3")
                .callTool("lookup", "key", "k4").callTool("lookup", "key", "k5").answer("finished").build();
    }

    private static String policy(String deny, int maxCalls) {
        return """
                version: 1
                tools:
                  deny: [%s]
                limits:
                  - { name: tools-per-run, scope: run, tools: "*", max_calls: %d }
                """.formatted(deny, maxCalls);
    }

    private static void replace(Path file, String text) throws IOException {
        Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs the loop with the agent and, once the second lookup has run, replaces the policy with {@code next}. */
    private ForkedApp.Result runCrossing(ProviderSimulator sim, Path policy, Path log, String next) throws Exception {
        ForkedApp.Running running = ForkedApp.of(AppModule.LANGCHAIN4J)
                .args("--base-url", sim.baseUrl(), "--victim", victim.toString())
                .agent(AgentJar.requireImplemented(), policy, log).start(dir.resolve("out-" + System.nanoTime()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (running.stdout().lines().filter(l -> l.startsWith("TOOL_RAN lookup")).count() < 2) {
            assertTrue(running.process().isAlive() && System.nanoTime() < deadline, running.stdout());
            Thread.sleep(20);
        }
        replace(policy, next);
        assertTrue(running.process().waitFor(90, java.util.concurrent.TimeUnit.SECONDS));
        return new ForkedApp.Result(running.command(), running.process().exitValue(), false, running.stdout(),
                running.stderr());
    }

    private static long count(ForkedApp.Result r, String prefix) {
        return r.countStdout(prefix);
    }

    @Test
    void aValidChangeIsInForceForTheRestOfTheRunAndCountsCarryOver() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), policy("", 10));
        Path log = dir.resolve("reloaded.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(script()).latency(TURN).start()) {
            ForkedApp.Result r = runCrossing(sim, policy, log, policy("\"delete_*\"", 3));
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(Files.exists(victim), "the deny added by the reload must hold in the run that crossed it");
            assertEquals(0, count(r, "TOOL_RAN delete_file"), r::toString);
            // k1, k2 before the reload, k3 after it: the lowered limit of 3 counted the two calls made before it
            assertEquals(3, count(r, "TOOL_RAN lookup"), r::toString);
            assertTrue(sim.toolResult(Script.callId(3, 0)).orElseThrow().startsWith("blocked by policy: tools.deny[0]"));

            EnforcementLog events = EnforcementLog.read(log);
            Map<String, Object> reloaded = events.only("policy.reloaded");
            assertEquals(List.of(policy.toString()), reloaded.get("files"));
            assertEquals(List.of("tools", "limit changed: tools-per-run"), reloaded.get("changes"));
            assertEquals(List.of("tools-per-run"), reloaded.get("carried"));
            assertEquals(2, events.toolCalls("lookup").stream().filter(c -> "deny".equals(c.get("decision"))).count());
            assertEquals("tools-per-run", events.only("limit.exceeded").get("limit"));
            assertEquals(0, ((Number) events.only("agent.stopped").get("suppressed_errors")).intValue());
        }
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = ForkedApp.of(AppModule.LANGCHAIN4J)
                    .args("--base-url", sim.baseUrl(), "--victim", victim.toString()).run();
            assertFalse(Files.exists(victim), "without the agent the loop deletes the file: " + r);
            assertEquals(5, count(r, "TOOL_RAN lookup"), r::toString);
        }
    }

    @Test
    void aBrokenChangeKeepsTheRunningPolicyAndSaysWhere() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), policy("\"delete_*\"", 10));
        Path log = dir.resolve("broken.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(script()).latency(TURN).start()) {
            ForkedApp.Result r = runCrossing(sim, policy, log,
                    "version: 1\ntools:\n  deny: [\"delete_*\"]\nlimits:\n  - { name: x, scope: run, max_calls: -1 }\n");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(Files.exists(victim), "the running policy still denies the delete");
            assertEquals(5, count(r, "TOOL_RAN lookup"), r::toString);
            EnforcementLog events = EnforcementLog.read(log);
            Map<String, Object> error = events.only("policy.error");
            @SuppressWarnings("unchecked")
            List<String> errors = (List<String>) error.get("errors");
            assertTrue(errors.get(0).startsWith(policy + ":5:"), errors.toString());
            assertTrue(r.stderr().contains("[tollgate] the changed policy was not loaded; the running policy stays"),
                    r::toString);
            assertTrue(r.stderr().contains("[tollgate] " + policy + ":5:"), r::toString);
            assertTrue(events.events("policy.reloaded").isEmpty());
        }
    }
}
