package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.ItPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo ({@code mvn -Pdemo}) with the shipped example policy shows what the README promises. */
class DemoIT {

    @TempDir
    Path dir;

    @Test
    void examplePolicyBlocksTheDeleteAndTheCallsOverTheLimit() {
        Path policy = ItPaths.repositoryRoot().resolve("policies/examples/langchain4j-demo.yaml");
        assertTrue(Files.isRegularFile(policy), policy + " is missing");

        ForkedApp.Result result = ForkedApp.of(AppModule.DEMO)
                .agent(AgentJar.requireImplemented(), "policy=" + policy)
                .args(policy.toString())
                .workDir(dir)
                .run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().contains("WITH the Tollgate agent"), result::toString);
        assertTrue(result.stdoutLines().stream().anyMatch(l -> l.startsWith("BLOCKED") && l.contains("delete_file")
                && l.contains("blocked by policy: tools.deny[0]")), result::toString);
        assertTrue(result.stdoutLines().contains("victim file STILL EXISTS"), result::toString);
        assertTrue(result.stdoutLines().contains("3 tool call(s) blocked by policy"), result::toString);
        assertTrue(result.stdout().contains("\"event\":\"tool.call\""), "the demo prints the log lines\n" + result);

        EnforcementLog entries = EnforcementLog.read(dir.resolve("tollgate-demo.jsonl"));
        assertEquals(6, entries.events("tool.call").size(), entries::toString);
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
    }
}
