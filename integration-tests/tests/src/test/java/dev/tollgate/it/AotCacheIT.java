package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app started from a JDK 25 AOT cache (JEP 483/514: {@code -XX:AOTCacheOutput} in a training run, then
 * {@code -XX:AOTCache} with {@code -XX:AOTMode=on}, so the JVM refuses to start if it cannot use the cache). The JVM
 * loads the cache's classes into the class loaders before any agent runs, so the JDK's {@code HttpClientImpl} the app
 * reaches the provider with is never handed to a transformer as it is defined: the agent must weave it before the
 * app's {@code main} runs, or every LLM call goes by unmetered. The budget caps the calls as it does without a cache.
 */
class AotCacheIT {

    /** sim-model at 1000 USD/MTok in and 2000 out: 100 prompt + 50 completion tokens cost exactly 0.20 USD. */
    static final String POLICY = """
            version: 1
            pricing:
              models:
                sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
            budgets:
              - { name: process-cap, scope: process, max_usd: 1.00, on_exceed: block }
            """;

    @TempDir
    Path dir;

    /**
     * The app runs on JDK 25 whichever JDK runs the tests, so `.ci/run`'s second pass (on Temurin 25) would repeat the
     * first exactly: proved once, as {@code EmbabelToolIT} is.
     */
    @BeforeAll
    static void onceAcrossTheJdkPasses() {
        Assumptions.assumeFalse(Boolean.getBoolean("it.second.jdk"),
                "the app runs on JDK 25 in both passes: proved in the first");
    }

    /** A JDK with the AOT cache (25+): the tests' own, or the Temurin 25 beside it; else the test is skipped. */
    private static Path java25Home() {
        if (Runtime.version().feature() >= 25) {
            return Path.of(System.getProperty("java.home"));
        }
        Path home = Path.of(System.getProperty("it.java25.home", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isExecutable(home.resolve("bin").resolve("java")),
                "the AOT cache needs a JDK 25: set -Dit.java25.home (none at " + home + ")");
        return home;
    }

    private ForkedApp app(ProviderSimulator sim) {
        return ForkedApp.of(AppModule.LLM_JDK).javaHome(java25Home()).workDir(dir)
                .args("--base-url", sim.baseUrl(), "--model", "sim-model", "--max-tokens", "100", "--calls", "10");
    }

    private static long status(ForkedApp.Result result, String status) {
        return result.stdoutLines().stream().filter(l -> l.matches("^CALL \\d+ status=" + status + " .*")).count();
    }

    @Test
    void anAppStartedFromAnAotCacheHasItsLlmCallsMeteredAndCapped() throws IOException {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        Path aot = dir.resolve("app.aot");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            // the training run, with the agent as production will have it (the JVM refuses a cache made without it)
            ForkedApp.Result training = app(sim).jvmArg("-XX:AOTCacheOutput=" + aot)
                    .agent(AgentJar.requireImplemented(), policy, dir.resolve("training.jsonl")).run();
            assertEquals(0, training.exitCode(), training::toString);
            assertTrue(Files.size(aot) > 0, training::toString);
            int trainingRequests = sim.requestCount();

            Path log = dir.resolve("log.jsonl");
            ForkedApp.Result result = app(sim).jvmArg("-XX:AOTMode=on").jvmArg("-XX:AOTCache=" + aot)
                    .agent(AgentJar.requireImplemented(), policy, log).run();

            assertEquals(0, result.exitCode(), result::toString);
            // 0.20 USD a call, 0.244 USD reserved before each: the fifth would pass 1.00 USD
            assertEquals(4, status(result, "200"), result::toString);
            assertEquals(6, status(result, "402"), result::toString);
            assertEquals(4, sim.requestCount() - trainingRequests, "blocked calls must not reach the provider");
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> llm = entries.events("llm.call");
            assertEquals(10, llm.size(), entries::toString);
            assertEquals(6, llm.stream().filter(e -> "deny".equals(e.get("decision"))).count(), entries::toString);
            assertTrue(entries.text().contains("jdk.internal.net.http.HttpClientImpl"),
                    "the coverage report names the woven JDK client\n" + entries);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    entries::toString);
        }
    }

    @Test
    @WithoutTheAgent
    void withoutTheAgentTheAppStartedFromItsAotCacheOverspends() throws IOException {
        Path aot = dir.resolve("app.aot");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            ForkedApp.Result training = app(sim).jvmArg("-XX:AOTCacheOutput=" + aot).run();
            assertEquals(0, training.exitCode(), training::toString);
            int trainingRequests = sim.requestCount();

            ForkedApp.Result result = app(sim).jvmArg("-XX:AOTMode=on").jvmArg("-XX:AOTCache=" + aot).run();

            assertEquals(0, result.exitCode(), result::toString);
            assertEquals(10, status(result, "200"), result::toString);
            assertEquals(10, sim.requestCount() - trainingRequests, "10 × 0.20 USD = 2.00 USD against a 1.00 USD cap");
        }
    }
}
