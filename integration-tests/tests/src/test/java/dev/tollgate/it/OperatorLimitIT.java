package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code on_exceed: pause} on a tool-call limit, driven from second processes while the app runs: LangChain4j's tool
 * executor in runs of their own ({@code runs.entry_points}), two lookups a run. The third lookup of a run waits (only
 * its thread: another run makes all its calls meanwhile), is listed by {@code approvals}, and goes on when
 * {@code approve ID} raises that run's {@code max_calls}; denied, it is refused; unanswered, its run halts
 * ({@code on_timeout: halt}). An LLM-call limit pauses an openai-java app's third model call the same way. Without the
 * agent every call runs.
 */
class OperatorLimitIT {
    private static final String ENTRY = "dev.tollgate.it.apps.langchain4j.ToolRunsApp#work";

    @TempDir
    Path dir;

    private Path policy(String timeout) throws Exception {
        return Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                limits:
                  - name: lookups
                    scope: run
                    tools: lookup
                    max_calls: 2
                    on_exceed: pause
                    approval: { timeout: %s, on_timeout: halt }
                runs:
                  entry_points: ["%s"]
                ledger:
                  dir: %s
                """.formatted(timeout, ENTRY, dir.resolve("ledger")));
    }

    private static ForkedApp app(String... runs) {
        String[] args = new String[runs.length * 2];
        for (int i = 0; i < runs.length; i++) {
            args[2 * i] = "--run";
            args[2 * i + 1] = runs[i];
        }
        return ForkedApp.of(AppModule.LANGCHAIN4J_TOOL_RUNS).args(args);
    }

    private ForkedApp.Result cli(int exit, String... args) {
        ForkedApp.Result r = ForkedApp.jar(AgentJar.requireImplemented()).args(args).workDir(dir).run();
        assertEquals(exit, r.exitCode(), r::toString);
        return r;
    }

    /** Waits (generously: JVMs start slowly on a loaded machine) until {@code done} holds. */
    private static void await(String what, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (done.call()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited in vain for " + what);
    }

    private static void awaitEvents(Path log, String event, int count) throws Exception {
        await(count + " x " + event, () -> Files.exists(log) && EnforcementLog.read(log).events(event).size() >= count);
    }

    /** The id of the call waiting, as {@code approvals} lists it. */
    private String waitingId(Path policy) {
        ForkedApp.Result waiting = cli(0, "approvals", "--policy", policy.toString());
        Matcher m = Pattern.compile("(?m)^([0-9a-f]{8})\\s+lookups\\s+(\\S+)\\s+1 call\\s").matcher(waiting.stdout());
        assertTrue(m.find(), waiting::toString);
        assertTrue(waiting.stdout().contains("tool lookup"), waiting::toString);
        return m.group(1);
    }

    private static int indexOf(List<String> lines, Predicate<String> p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.test(lines.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such line in " + lines);
    }

    @Test
    void approvedFromASecondProcessThePausedRunGoesOnAndAnotherRunWentOnWhileItWaited() throws Exception {
        Path policy = policy("60s");
        Path log = dir.resolve("app.jsonl");
        Path goB = dir.resolve("go-b");

        ForkedApp.Result free = app("a:3", "b:2").run();
        assertTrue(free.stdout().contains("RUN a CALL 3 value-of-a-3") && free.stdout().contains("ALL DONE"),
                free::toString);

        ForkedApp.Running running = app("a:3", "b:2:" + goB).agent(AgentJar.requireImplemented(), policy, log)
                .start(dir.resolve("app"));
        awaitEvents(log, "approval.requested", 1);
        Files.createFile(goB); // run b starts only now, while a's third lookup waits
        await("run b to finish while a waits", () -> running.stdout().contains("RUN b DONE"));
        String id = waitingId(policy);
        ForkedApp.Result wrong = cli(2, "approve", id, "--add-usd", "1", "--reason", "x", "--policy", policy.toString());
        assertTrue(wrong.stderr().contains("is for limit 'lookups' (calls): give --add-calls N, not --add-usd"),
                wrong::toString);
        ForkedApp.Result approved = cli(0, "approve", id, "--reason", "the lookup must finish", "--by", "carol",
                "--policy", policy.toString());
        assertTrue(approved.stdout().contains("max_calls raised by 1"), approved::toString);
        assertTrue(running.process().waitFor(ForkedApp.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the app did not finish");

        List<String> out = running.stdout().lines().toList();
        assertTrue(out.contains("RUN a CALL 3 value-of-a-3"), out::toString);
        assertTrue(out.contains("RUN a DONE") && out.contains("RUN b DONE") && out.contains("ALL DONE"), out::toString);
        assertTrue(indexOf(out, "RUN b DONE"::equals) < indexOf(out, "RUN a CALL 3 value-of-a-3"::equals),
                "run b made its calls while run a's call waited: " + out);

        EnforcementLog entries = EnforcementLog.read(log);
        Map<String, Object> requested = entries.only("approval.requested");
        assertEquals(id, requested.get("id"));
        assertEquals("lookups", requested.get("limit"));
        assertEquals("lookup", requested.get("tool"));
        assertEquals(1, ((Number) requested.get("need_calls")).intValue());
        Map<String, Object> granted = entries.only("approval.granted");
        assertEquals(id, granted.get("id"));
        assertEquals("carol", granted.get("by"));
        assertEquals(1, ((Number) granted.get("add_calls")).intValue());
        assertEquals("pause", entries.only("limit.exceeded").get("on_exceed"));
        assertEquals(5, entries.toolCalls("lookup").stream().filter(l -> "allow".equals(l.get("decision"))).count(),
                entries::toString);
        assertTrue(cli(0, "approvals", "--policy", policy.toString()).stdout().contains("no call is waiting"));
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue());
    }

    @Test
    void aDeniedCallIsRefusedAndAnUnansweredOneHaltsItsRun() throws Exception {
        Path policy = policy("25s"); // the deny below takes two CLI JVMs, which CI load can slow to seconds
        Path log = dir.resolve("app.jsonl");

        ForkedApp.Result free = app("a:4").run();
        assertTrue(free.stdout().contains("RUN a CALL 4 value-of-a-4") && free.stdout().contains("RUN a DONE"),
                free::toString);

        ForkedApp.Running running = app("a:4").agent(AgentJar.requireImplemented(), policy, log)
                .start(dir.resolve("app"));
        awaitEvents(log, "approval.requested", 1);
        cli(0, "deny", waitingId(policy), "--reason", "enough lookups", "--by", "dave", "--policy", policy.toString());
        awaitEvents(log, "approval.requested", 2); // the fourth lookup waits its 25 seconds out
        assertTrue(running.process().waitFor(ForkedApp.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the app did not finish");

        String out = running.stdout();
        assertTrue(out.contains("RUN a CALL 3 blocked by policy: limits[0].approval: limit \"lookups\" allows 2 calls "
                + "per run; denied by dave: enough lookups"), out);
        assertTrue(out.contains("RUN a EXCEPTION dev.tollgate.bootstrap.LimitExceededException: blocked by policy: "
                + "limits[0].approval.on_timeout:"), out);
        assertTrue(out.contains("nobody approved it within 25s"), out);
        assertTrue(!out.contains("RUN a CALL 4") && !out.contains("TOOL_RAN lookup a-3")
                && !out.contains("TOOL_RAN lookup a-4"), "neither refused lookup ran: " + out);

        EnforcementLog entries = EnforcementLog.read(log);
        assertEquals("dave", entries.only("approval.denied").get("by"));
        assertEquals("halt", entries.only("approval.timed_out").get("on_timeout"));
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue());
    }

    @Test
    void anLlmCallPausedAtItsLimitGoesOnWhenApproved() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                limits:
                  - { name: model-calls, scope: process, llm: "*", max_calls: 2, on_exceed: pause,
                      approval: { timeout: 60s } }
                ledger:
                  dir: %s
                """.formatted(dir.resolve("ledger")));
        Path log = dir.resolve("app.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp app = ForkedApp.of(AppModule.OPENAI_JAVA).args("--base-url", sim.baseUrl(), "--max-tokens", "20",
                    "--calls", "3", "--model", "sim-model");
            ForkedApp.Result free = app.run();
            assertTrue(free.stdout().contains("DONE ok=3"), free::toString);

            ForkedApp.Running running = app.agent(AgentJar.requireImplemented(), policy, log).start(dir.resolve("app"));
            awaitEvents(log, "approval.requested", 1);
            ForkedApp.Result waiting = cli(0, "approvals", "--policy", policy.toString());
            Matcher m = Pattern.compile("(?m)^([0-9a-f]{8})\\s+model-calls\\s+process\\s+1 call\\s.*sim-model")
                    .matcher(waiting.stdout());
            assertTrue(m.find(), waiting::toString);
            cli(0, "approve", m.group(1), "--add-calls", "1", "--reason", "one more turn", "--policy",
                    policy.toString());
            assertTrue(running.process().waitFor(ForkedApp.TIMEOUT_SECONDS, TimeUnit.SECONDS), "the app did not finish");
            assertTrue(running.stdout().contains("DONE ok=3"), running.stdout());

            EnforcementLog entries = EnforcementLog.read(log);
            assertEquals("model-calls", entries.only("approval.requested").get("limit"));
            assertEquals(1, ((Number) entries.only("approval.granted").get("add_calls")).intValue());
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue());
        }
    }
}
