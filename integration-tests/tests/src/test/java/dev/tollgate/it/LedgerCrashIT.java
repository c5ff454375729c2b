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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Day budgets persist in the ledger: an app is killed with {@code kill -9} in the middle of a stream of LLM calls,
 * three times over; after each restart the day's spend the agent loads accounts for every call the provider
 * served, give or take the one in flight when the JVM died.
 */
class LedgerCrashIT {

    @TempDir
    Path dir;

    @Test
    void repeatedKillDashNineLosesAtMostTheCallInFlight() throws Exception {
        Path ledger = dir.resolve("ledger");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
                budgets:
                  - name: daily
                    scope: day
                    max_usd: 100000
                ledger:
                  dir: "%s"
                  time_zone: Europe/Berlin
                """.formatted(ledger.toString().replace("\\", "/")));
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            for (int round = 1; round <= 3; round++) {
                int before = sim.requestCount();
                ForkedApp.Running running = ForkedApp.of(AppModule.LLM_JDK)
                        .args("--base-url", sim.baseUrl(), "--model", "sim-model", "--max-tokens", "100",
                                "--calls", "100000", "--pause-ms", "5")
                        .agent(AgentJar.requireImplemented(), policy, dir.resolve("log-" + round + ".jsonl"))
                        .start(dir.resolve("run-" + round));
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (sim.requestCount() < before + 15 + 7 * round && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                running.killHard();
                Thread.sleep(200); // let the simulator finish answering the call in flight, if any

                int served = sim.requestCount();
                assertTrue(served > before, "the app made calls before it was killed");
                // a fresh JVM makes one more call: its llm.call shows the day's spend after settling it
                Path log = dir.resolve("check-" + round + ".jsonl");
                ForkedApp.Result check = ForkedApp.of(AppModule.LLM_JDK)
                        .args("--base-url", sim.baseUrl(), "--model", "sim-model", "--max-tokens", "100", "--calls", "1")
                        .agent(AgentJar.requireImplemented(), policy, log).run();
                assertEquals(0, check.exitCode(), check::toString);
                Map<String, Object> call = EnforcementLog.read(log).only("llm.call");
                @SuppressWarnings("unchecked")
                Map<String, Object> daily = ((List<Map<String, Object>>) call.get("budgets")).get(0);
                double spent = ((Number) daily.get("spent_usd")).doubleValue();
                long recorded = Math.round(spent / 0.2); // 0.20 USD a call, the check call included
                long servedIncludingCheck = sim.requestCount();
                assertTrue(recorded <= servedIncludingCheck && recorded >= servedIncludingCheck - round,
                        "round " + round + ": ledger holds " + recorded + " calls, the provider served "
                                + servedIncludingCheck + " (at most one lost per kill)\n" + call);
            }
        }
    }

    /**
     * Someone edits the day's spend down in the ledger's snapshot between two runs: the next JVM refuses to start
     * (fail-closed start, exit 78) and says which file was changed, instead of trusting or skipping it.
     */
    @Test
    void aLedgerEditedBetweenRunsStopsTheNextStart() throws Exception {
        Path ledger = dir.resolve("ledger");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                pricing:
                  models:
                    sim-model: { input_per_mtok: 1000, output_per_mtok: 2000 }
                budgets:
                  - { name: daily, scope: day, max_usd: 100000 }
                ledger:
                  dir: "%s"
                """.formatted(ledger.toString().replace("\\", "/")));
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(100, 50).start()) {
            for (int run = 0; run < 2; run++) { // the second start compacts the first one's journal into the snapshot
                ForkedApp.Result ok = ForkedApp.of(AppModule.LLM_JDK)
                        .args("--base-url", sim.baseUrl(), "--model", "sim-model", "--max-tokens", "100", "--calls", "2")
                        .agent(AgentJar.requireImplemented(), policy, dir.resolve("ok-" + run + ".jsonl")).run();
                assertEquals(0, ok.exitCode(), ok::toString);
            }
            Path snapshot = ledger.resolve("snapshot");
            String text = Files.readString(snapshot);
            String edited = text.replaceFirst("\t(\\d)(\\d*)\t", "\t0$2\t");
            assertTrue(!edited.equals(text), text);
            Files.writeString(snapshot, edited);

            ForkedApp.Result refused = ForkedApp.of(AppModule.LLM_JDK)
                    .args("--base-url", sim.baseUrl(), "--model", "sim-model", "--max-tokens", "100", "--calls", "1")
                    .agent(AgentJar.requireImplemented(), policy, dir.resolve("refused.jsonl")).run();
            assertEquals(78, refused.exitCode(), refused::toString);
            assertTrue(refused.stderr().contains("authentication code does not match"), refused::toString);
            assertTrue(refused.stderr().contains(snapshot.getFileName().toString()), refused::toString);
        }
    }
}
