package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's own libraries never leak into a host that has older versions of the same ones. */
class IsolationIT {

    private static final List<String> AGENT_INTERNALS = List.of(
            "net.bytebuddy.ByteBuddy",
            "dev.tollgate.policy.PolicyLoader",
            "dev.tollgate.policy.engine.PolicyEngine",
            "org.yaml.snakeyaml.Yaml",
            "com.fasterxml.jackson.dataformat.yaml.YAMLFactory",
            "dev.tollgate.agent.installer.AgentInstaller");

    @TempDir
    Path dir;

    @Test
    void hostWithoutTheAgentSeesOnlyItsOwnLibraries() {
        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION).run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("jackson=2.12.7"), result::toString);
        assertTrue(result.stdoutLines().contains("BOOTSTRAP false"), result::toString);
        assertTrue(result.stdoutLines().contains("ISOLATION DONE"), result::toString);
    }

    @Test
    void hostKeepsItsOldJacksonAndCannotSeeTheAgentsClasses() throws IOException {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                version: 1
                tools:
                  default: allow
                """);
        Path log = dir.resolve("enforcement.jsonl");

        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION).agent(AgentJar.requireImplemented(), policy, log).run();

        assertEquals(0, result.exitCode(), result::toString);
        List<String> out = result.stdoutLines();
        assertTrue(out.contains("jackson=2.12.7"), result::toString);
        for (String name : AGENT_INTERNALS) {
            assertTrue(out.contains("HIDDEN " + name), () -> name + " must not be loadable by the host\n" + result);
        }
        assertTrue(out.contains("BOOTSTRAP true"), "the bootstrap facade is on the boot class path\n" + result);
        assertTrue(out.contains("AGENT_JSONFACTORY_SERVICES 0"), result::toString);
        assertTrue(out.contains("ISOLATION DONE"), result::toString);
        assertTrue(result.stderr().contains("serialized {\"host\":\"isolation-app\"}"),
                "the host's SLF4J 1.7 binding still logs\n" + result);

        EnforcementLog entries = EnforcementLog.read(log);
        assertTrue(entries.first("policy.loaded").isPresent(), entries::toString);
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(), entries::toString);
    }
}
