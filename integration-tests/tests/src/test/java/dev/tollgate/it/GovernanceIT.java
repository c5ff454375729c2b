package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ToolLoopScript;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static dev.tollgate.it.harness.ToolLoopScript.lookupCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A governance directory ({@code governance=DIR}) over an unmodified LangChain4j app whose own policy is as loose as it
 * gets (monitor mode, the destructive tool allowed): the organisation's deny and run limit still hold, under the
 * organisation's file name. The same app with only its own policy, and without the agent, deletes the file. A lock the
 * app's policy breaks, and a governance file others may write, stop the JVM before main with a located message.
 */
class GovernanceIT {

    private static final String ORG = """
            version: 1
            tools:
              deny: ["delete_*"]
            limits:
              - { name: org-tools-per-run, scope: run, tools: "*", max_calls: 3 }
            """;
    private static final String LOOSE_APP = """
            version: 1
            mode: monitor
            tools:
              default: allow
              allow: ["delete_file"]
            """;

    @TempDir
    Path dir;

    private Path victim;

    private Script script() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        return ToolLoopScript.deleteThenFiveLookups(victim);
    }

    private Path governance(String text) throws IOException {
        Path gov = Files.createDirectories(dir.resolve("governance"));
        Files.setPosixFilePermissions(gov, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path org = Files.writeString(gov.resolve("org.yaml"), text);
        Files.setPosixFilePermissions(org, PosixFilePermissions.fromString("rw-r--r--"));
        return gov;
    }

    private ForkedApp.Result run(ProviderSimulator sim, String agentArgs) {
        ForkedApp fork = ForkedApp.of(AppModule.LANGCHAIN4J).args("--base-url", sim.baseUrl(), "--victim",
                victim.toString());
        if (agentArgs != null) {
            fork.agent(AgentJar.requireImplemented(), agentArgs);
        }
        return fork.run();
    }

    @Test
    void theOrganisationsDenyAndLimitHoldOverALooseAppPolicy() throws IOException {
        Path app = Files.writeString(dir.resolve("app.yaml"), LOOSE_APP);
        Path gov = governance(ORG);
        Path log = dir.resolve("governed.jsonl");
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = run(sim, "policy=" + app + ",log=" + log + ",governance=" + gov);
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(Files.exists(victim), "the organisation's deny must hold whatever the app's policy says");
            assertEquals(0, r.countStdout("TOOL_RAN delete_file"), r::toString);
            String refusal = sim.toolResult(Script.callId(1, 0)).orElseThrow();
            assertTrue(refusal.startsWith("blocked by policy: governance/org.yaml: tools.deny[0]"), refusal);
            assertEquals(3, r.countStdout("TOOL_RAN lookup"), r::toString);
            assertTrue(sim.toolResult(lookupCall(4)).orElseThrow().contains("org-tools-per-run"));

            EnforcementLog events = EnforcementLog.read(log);
            Map<String, Object> loaded = events.only("policy.loaded");
            assertEquals(List.of(gov.resolve("org.yaml").toString()), loaded.get("governance"));
            assertEquals(List.of("org-tools-per-run"), loaded.get("limits"));
            Map<String, Object> denied = events.toolCalls("delete_file").get(0);
            assertEquals("governance/org.yaml: tools.deny[0]", denied.get("rule"));
            assertEquals(true, denied.get("enforced"));
            assertEquals("governance/org.yaml: limits[0]", events.only("limit.exceeded").get("rule"));
            assertEquals(0, ((Number) events.only("agent.stopped").get("suppressed_errors")).intValue());
        }
        // the same app under its own policy alone (monitor mode) deletes the file: the organisation made the difference
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = run(sim, "policy=" + app + ",log=" + dir.resolve("alone.jsonl"));
            assertEquals(0, r.exitCode(), r::toString);
            assertFalse(Files.exists(victim), r::toString);
            assertEquals(5, r.countStdout("TOOL_RAN lookup"), r::toString);
        }
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = run(sim, null);
            assertFalse(Files.exists(victim), r::toString);
        }
    }

    @Test
    void aLockTheAppBreaksAndAFileOthersMayWriteStopTheJvmBeforeMain() throws IOException {
        Path app = Files.writeString(dir.resolve("app.yaml"), LOOSE_APP);
        Path gov = governance("version: 1\nlock: [mode]\n" + ORG.substring("version: 1\n".length()));
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = run(sim, "policy=" + app + ",log=" + dir.resolve("locked.jsonl") + ",governance=" + gov
                    + ",fail-mode=open");
            // fail-mode=open is the app's, and does not let it run ungoverned past the organisation's lock
            assertEquals(78, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains(app + ":2:1: mode is locked by the organisation (" + gov.resolve("org.yaml")),
                    r::toString);
            assertTrue(Files.exists(victim));
            assertEquals(0, sim.turnsServed());
        }
        Files.writeString(app, "version: 1\n");
        Files.setPosixFilePermissions(gov.resolve("org.yaml"), PosixFilePermissions.fromString("rw-rw-rw-"));
        try (ProviderSimulator sim = ProviderSimulator.start(script())) {
            ForkedApp.Result r = run(sim, "policy=" + app + ",log=" + dir.resolve("writable.jsonl") + ",governance="
                    + gov);
            assertEquals(78, r.exitCode(), r::toString);
            assertTrue(r.stderr().contains(gov.resolve("org.yaml") + ":0:0: governance file refused: it is writable by "
                    + "its group and everyone"), r::toString);
            assertEquals(0, sim.turnsServed());
        }
    }
}
