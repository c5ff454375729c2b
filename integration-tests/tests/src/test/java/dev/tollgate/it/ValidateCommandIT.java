package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.ForkedApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar tollgate-agent.jar validate FILE...}: a policy linter for CI. */
class ValidateCommandIT {

    @TempDir
    Path dir;

    private Path valid() throws IOException {
        return Files.writeString(dir.resolve("good.yaml"), """
                version: 1
                mode: enforce
                tools:
                  default: allow
                  deny: ["delete_*", "shell_*"]
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: 3
                    on_exceed: block
                log:
                  path: tollgate.jsonl
                """);
    }

    private Path invalid() throws IOException {
        return Files.writeString(dir.resolve("bad.yaml"), """
                version: 1
                tools:
                  default: maybe
                limits:
                  - name: tools-per-run
                    scope: run
                    tools: "*"
                    max_calls: -5
                """);
    }

    private static ForkedApp.Result validate(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "validate";
        System.arraycopy(args, 0, command, 1, args.length);
        return ForkedApp.jar(AgentJar.requireImplemented()).args(command).run();
    }

    @Test
    void governanceChecksTheMergeAndNamesBothFiles() throws IOException {
        Path gov = java.nio.file.Files.createDirectories(dir.resolve("governance"));
        java.nio.file.Files.setPosixFilePermissions(gov, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path org = java.nio.file.Files.writeString(gov.resolve("org.yaml"), "version: 1\nlock: [mode]\n"
                + "tools: { deny: [\"shell_*\"] }\n");
        java.nio.file.Files.setPosixFilePermissions(org, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path ok = java.nio.file.Files.writeString(dir.resolve("ok.yaml"), "version: 1\n");
        Path locked = java.nio.file.Files.writeString(dir.resolve("locked.yaml"), "version: 1\nmode: monitor\n");
        ForkedApp.Result good = validate("--governance", gov.toString(), ok.toString());
        assertEquals(0, good.exitCode(), good::toString);
        assertTrue(good.stdout().contains(ok + ": ok, governed by 1 file (locked: mode)"), good::toString);
        ForkedApp.Result bad = validate("--governance", gov.toString(), ok.toString(), locked.toString());
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.stderr().contains(locked + ":2:1: mode is locked by the organisation (" + org + ")"),
                bad::toString);
        assertEquals(2, validate("--governance").exitCode());
    }

    @Test
    void validPolicyExitsZero() throws IOException {
        ForkedApp.Result result = validate(valid().toString());
        assertEquals(0, result.exitCode(), result::toString);
    }

    @Test
    void invalidPolicyExitsOneWithLocatedErrors() throws IOException {
        ForkedApp.Result result = validate(invalid().toString());

        assertEquals(1, result.exitCode(), result::toString);
        Pattern located = Pattern.compile("bad\\.yaml:\\d+:\\d+: \\S");
        long lines = (result.stdout() + result.stderr()).lines().filter(l -> located.matcher(l).find()).count();
        assertTrue(lines >= 2, () -> "one FILE:LINE:COL: line per error\n" + result);
        assertTrue((result.stdout() + result.stderr()).contains("bad.yaml:3:"), result::toString);
    }

    @Test
    void anyInvalidFileMakesTheWholeRunFail() throws IOException {
        ForkedApp.Result result = validate(valid().toString(), invalid().toString());
        assertEquals(1, result.exitCode(), result::toString);
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        ForkedApp.Result result = ForkedApp.jar(AgentJar.requireImplemented()).args("--help").run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdout().contains("validate FILE"), () -> "usage names the validate command\n" + result);
    }

    @Test
    void validateWithoutFilesIsAUsageError() {
        ForkedApp.Result result = validate();
        assertEquals(2, result.exitCode(), result::toString);
    }
}
