package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.policy.testing.RedisServerProcess;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fleet: several JVMs of an unmodified openai-java app, each with the agent, against one simulator and one real
 * redis-server process on a free loopback port. With {@code ledger.store: redis} they share one day budget; on the
 * file store (and without the agent) each spends the whole cap on its own, so the test can fail.
 */
class FleetIT {
    /** sim-model at 1000 USD/MTok in and 2000 out: 100 prompt + 50 completion tokens cost exactly 0.20 USD. */
    static final String PRICES = """
            pricing:
              models:
                sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
            """;
    static final String SECRET = "Redis-Pa55word-SECRET";

    @TempDir
    Path dir;
    RedisServerProcess redis;

    @BeforeEach
    void startRedis() throws IOException {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    private Path policy(String name, String store) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), "version: 1\n" + PRICES + """
                budgets:
                  - { name: daily, scope: day, max_usd: 1.00, warn_at: [0.5] }
                ledger:
                  dir: %s
                """.formatted(dir.resolve("ledger-" + name)) + store);
    }

    private String redisStore(String onUnavailable, String holdTtl) {
        return """
                  store: redis
                  redis:
                    url: "%s"
                    key_prefix: "fleet-it:"
                    timeout: 500ms
                    on_unavailable: %s
                    hold_ttl: %s
                """.formatted(redis.url(), onUnavailable, holdTtl);
    }

    private static ForkedApp app(ProviderSimulator sim, int calls, int maxTokens) {
        return app(AppModule.OPENAI_JAVA, sim, calls, maxTokens);
    }

    /** The openai-java app, or LangChain4j's OpenAI model through its own HTTP client (BudgetApp). */
    private static ForkedApp app(AppModule module, ProviderSimulator sim, int calls, int maxTokens) {
        ForkedApp app = ForkedApp.of(module).args("--base-url", sim.baseUrl(), "--max-tokens",
                Integer.toString(maxTokens), "--calls", Integer.toString(calls));
        return module == AppModule.OPENAI_JAVA ? app.args("--model", "sim-model") : app.args("--provider", "openai");
    }

    /** Runs the JVMs side by side and waits for all of them. */
    private List<String> runTogether(List<ForkedApp> apps) throws Exception {
        List<ForkedApp.Running> running = new ArrayList<>();
        for (int i = 0; i < apps.size(); i++) {
            running.add(apps.get(i).start(dir.resolve("jvm-" + System.nanoTime() + "-" + i)));
        }
        List<String> outputs = new ArrayList<>();
        for (ForkedApp.Running r : running) {
            assertTrue(r.process().waitFor(ForkedApp.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS),
                    "a forked JVM did not finish");
            assertEquals(0, r.process().exitValue(), r.stdout() + r.stderr());
            outputs.add(r.stdout() + r.stderr());
        }
        return outputs;
    }

    private static long served(List<String> outputs) {
        return outputs.stream().flatMap(o -> o.lines()).filter(l -> l.matches("^CALL \\d+ (status=200|ok).*")).count();
    }

    private static void assertClean(EnforcementLog log) {
        assertEquals(0, ((Number) log.only("agent.stopped").get("suppressed_errors")).intValue(), log::toString);
        assertFalse(log.text().contains(SECRET), "the Redis password reached the log");
        assertFalse(log.text().contains("sk-test-SECRET-123"), "the API key reached the log");
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPENAI_JAVA", "LANGCHAIN4J_BUDGET"})
    void threeJvmsOnRedisShareOneDayBudget(String module) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            List<ForkedApp> apps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                apps.add(app(AppModule.valueOf(module), sim, 8, 100).agent(AgentJar.requireImplemented(),
                        policy("redis-" + i, redisStore("block", "1m")), dir.resolve("log-" + i + ".jsonl")));
            }
            List<String> outputs = runTogether(apps);

            // 0.20 USD a call and 0.244 reserved before each: at most 5 calls fit under 1.00, whatever the interleaving
            assertTrue(sim.requestCount() <= 5 && sim.requestCount() >= 4, "served " + sim.requestCount());
            assertEquals(sim.requestCount(), served(outputs));
            int warnings = 0;
            int allowed = 0;
            for (int i = 0; i < 3; i++) {
                EnforcementLog log = EnforcementLog.read(dir.resolve("log-" + i + ".jsonl"));
                assertClean(log);
                assertEquals("redis", log.only("policy.loaded").get("store"));
                warnings += log.events("budget.warning").size();
                allowed += (int) log.events("llm.call").stream().filter(e -> "allow".equals(e.get("decision"))).count();
                log.events("llm.call").stream().filter(e -> "deny".equals(e.get("decision")))
                        .forEach(e -> assertEquals("budgets[0]", e.get("rule")));
            }
            assertEquals(sim.requestCount(), allowed);
            assertEquals(1, warnings, "warn_at 0.5 is logged once for the fleet, not once per JVM");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"OPENAI_JAVA", "LANGCHAIN4J_BUDGET"})
    void onTheFileStoreEachOfTheSameThreeJvmsSpendsTheWholeCap(String module) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            List<ForkedApp> apps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                apps.add(app(AppModule.valueOf(module), sim, 8, 100).agent(AgentJar.requireImplemented(), policy("file-" + i, ""),
                        dir.resolve("log-" + i + ".jsonl")));
            }
            runTogether(apps);
            assertEquals(12, sim.requestCount(), "each JVM stops at its own 4 calls: 3 x 1.00 USD in all");
        }
    }

    /**
     * A conversation that moves to another pod keeps its budget (or its windowed LLM-call limit): the LangChain4j
     * app's AI service with {@code @MemoryId}, user alice on JVM A for two calls, then on JVM B for three.
     */
    @ParameterizedTest
    @ValueSource(strings = {"budget", "window-limit"})
    void aSessionFollowedAcrossTwoJvms(String what) throws Exception {
        String rules = what.equals("budget")
                ? "budgets:\n  - { name: per-conversation, scope: session, max_usd: 1.00 }\n"
                : "limits:\n  - { name: per-conversation-rate, scope: session, llm: \"*\", max_calls: 3, window: 1h }\n";
        // sim-model at 4000 USD/MTok out: a call costs 0.2001 and reserves about 0.4: two fit, the third does too
        // (0.4002 spent), the fourth of the conversation passes 1.00; the limit allows 3 calls per conversation
        String pricing = "pricing:\n  models:\n    sim-model: { input_per_mtok: 1, output_per_mtok: 4000 }\n";
        for (String store : List.of("redis", "file")) {
            try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
                List<String> decisions = new ArrayList<>();
                for (String pod : List.of("a", "b")) {
                    Path policy = Files.writeString(dir.resolve(what + "-" + store + "-" + pod + ".yaml"),
                            "version: 1\n" + pricing + rules + "ledger:\n  dir: " + dir.resolve("ledger-" + store + pod)
                                    + "\n" + (store.equals("redis") ? redisStore("block", "1m") : ""));
                    Path log = dir.resolve(what + "-" + store + "-" + pod + ".jsonl");
                    ForkedApp.Result r = ForkedApp.of(AppModule.LANGCHAIN4J_SESSION).args("--base-url", sim.baseUrl(),
                            "--users", "alice", "--calls", pod.equals("a") ? "2" : "3", "--max-tokens", "100")
                            .agent(AgentJar.requireImplemented(), policy, log).run();
                    assertEquals(0, r.exitCode(), r::toString);
                    EnforcementLog entries = EnforcementLog.read(log);
                    assertClean(entries);
                    entries.events("llm.call").forEach(e -> {
                        assertEquals("alice", e.get("session"), entries::toString);
                        decisions.add(pod + ":" + e.get("decision"));
                    });
                }
                List<String> expected = store.equals("redis")
                        ? List.of("a:allow", "a:allow", "b:allow", "b:deny", "b:deny")
                        : List.of("a:allow", "a:allow", "b:allow", "b:allow", "b:allow");
                assertEquals(expected, decisions, store + ": " + (store.equals("redis")
                        ? "pod B continues alice's conversation where pod A left it"
                        : "without a shared store pod B starts alice's conversation from zero"));
                assertEquals(store.equals("redis") ? 3 : 5, sim.requestCount());
            }
        }
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheThreeJvmsSpendWithoutLimit() throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            runTogether(List.of(app(sim, 8, 100), app(sim, 8, 100), app(sim, 8, 100)));
            assertEquals(24, sim.requestCount());
        }
    }

    @Test
    void aJvmKilledWhileHoldingAReservationLeavesNothingHeldOnceItsHoldExpires() throws Exception {
        try (ProviderSimulator slow = ProviderSimulator.builder(Script.empty()).usage(100, 50)
                     .latency(Duration.ofSeconds(60)).start();
             ProviderSimulator fast = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            // 400 output tokens at 2000 USD/MTok: the reservation is about 0.82 of the 1.00 cap
            ForkedApp.Running doomed = app(slow, 1, 400).agent(AgentJar.requireImplemented(),
                    policy("doomed", redisStore("block", "20s")), dir.resolve("doomed.jsonl")).start(dir.resolve("doomed"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!redis.command("KEYS", "*daily*\u001fh").contains("\u001fh") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            doomed.killHard();
            long killed = System.nanoTime();
            Path policy = policy("survivor", redisStore("block", "20s"));
            ForkedApp.Result pinned = app(fast, 1, 400).agent(AgentJar.requireImplemented(), policy,
                    dir.resolve("survivor-1.jsonl")).run();
            assertTrue(pinned.stdout().contains("402: blocked by policy: budgets[0]: budget \"daily\""),
                    "the dead JVM's hold still counts\n" + pinned);
            assertFalse(pinned.stderr().contains("SLF4J"), "no library noise on the host's stderr\n" + pinned);
            assertEquals(0, fast.requestCount());
            assertTrue(System.nanoTime() - killed < Duration.ofSeconds(18).toNanos(),
                    "the check above ran while the hold was still live (hold_ttl 20s)");

            Thread.sleep(Math.max(0, Duration.ofMillis(20_300).minusNanos(System.nanoTime() - killed).toMillis()));
            ForkedApp.Result after = app(fast, 1, 400).agent(AgentJar.requireImplemented(), policy,
                    dir.resolve("survivor-2.jsonl")).run();
            assertTrue(after.stdout().contains("CALL 1 status=200"), "the hold expired by itself\n" + after);
            assertEquals(1, fast.requestCount());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "allow"})
    void theAppStartsWhenRedisIsDownAndOnUnavailableDecidesEachCall(String onUnavailable) throws Exception {
        redis.kill(); // nothing listens on its port now
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            Path log = dir.resolve("down.jsonl");
            ForkedApp.Result result = app(sim, 3, 100).agent(AgentJar.requireImplemented(),
                    policy("down", redisStore(onUnavailable, "1m")), log).run();
            assertEquals(0, result.exitCode(), result::toString);
            EnforcementLog entries = EnforcementLog.read(log);
            assertClean(entries);
            assertEquals(1, entries.events("ledger.degraded").size(), entries::toString);
            assertEquals(1, result.countStderrMatching(java.util.regex.Pattern.compile(
                    "^\\[tollgate\\] WARN .*shared budget ledger is unavailable.*")), result::toString);
            if (onUnavailable.equals("block")) {
                assertEquals(0, sim.requestCount(), "no call leaves while the budgets cannot be checked");
                assertEquals(3, result.countStdout("CALL"), result::toString);
                assertTrue(result.stdout().contains("402: blocked by policy: ledger.redis.on_unavailable: the shared "
                        + "budget ledger is unavailable"), result::toString);
            } else {
                assertEquals(3, sim.requestCount(), "allow: admitted and logged");
                entries.events("llm.call").forEach(e -> assertTrue(e.get("ledger_unavailable") != null, e::toString));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "local", "allow"})
    void redisKilledAndRestartedMidRun(String onUnavailable) throws Exception {
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50)
                .start()) {
            Path policy = Files.writeString(dir.resolve("outage.yaml"), "version: 1\n" + PRICES + """
                    budgets:
                      - { name: daily, scope: day, max_usd: 100.00 }
                    ledger:
                    """ + redisStore(onUnavailable, "1m").replace("redis://", "redis://:" + SECRET + "@"));
            Path log = dir.resolve("outage.jsonl");
            redis.command("CONFIG", "SET", "requirepass", SECRET);
            ForkedApp.Running app = app(sim, 14, 100).args("--pause-ms", "250").agent(AgentJar.requireImplemented(), policy, log)
                    .start(dir.resolve("outage"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (sim.requestCount() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            redis.kill();
            Thread.sleep(1_500);
            redis.restart(); // without its data, and without the password: set it again
            redis.command("CONFIG", "SET", "requirepass", SECRET);
            assertTrue(app.process().waitFor(ForkedApp.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
            String out = app.stdout();
            EnforcementLog entries = EnforcementLog.read(log);
            assertClean(entries);
            assertFalse(app.stderr().contains(SECRET), "the password reached stderr");
            assertEquals(1, entries.events("ledger.degraded").size(), entries::toString);
            assertEquals(1, entries.events("ledger.recovered").size(), entries::toString);
            assertTrue(app.stderr().contains("[tollgate]") && app.stderr().contains("unavailable"), app.stderr());
            List<Map<String, Object>> denied = entries.events("llm.call").stream()
                    .filter(e -> "deny".equals(e.get("decision"))).toList();
            long servedCalls = out.lines().filter(l -> l.matches("^CALL \\d+ status=200.*")).count();
            assertEquals(sim.requestCount(), servedCalls);
            if (onUnavailable.equals("block")) {
                assertFalse(denied.isEmpty(), "calls during the outage are refused\n" + entries);
                denied.forEach(e -> assertEquals("ledger.redis.on_unavailable", e.get("rule")));
                assertTrue(out.contains("unavailable"), out);
                assertTrue(servedCalls >= 4 && servedCalls < 14, out);
            } else {
                assertTrue(denied.isEmpty(), entries::toString);
                assertEquals(14, servedCalls, out);
            }
            String recovered = (String) entries.only("ledger.recovered").get("detail");
            if (!onUnavailable.equals("block")) {
                // what was spent during the outage was added to the restarted Redis
                assertFalse(recovered.startsWith("0 "), recovered);
            }
        }
    }
}
