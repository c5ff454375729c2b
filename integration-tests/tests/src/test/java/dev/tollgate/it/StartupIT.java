package dev.tollgate.it;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up: fail-closed on a bad policy, fail-open on request, where configuration comes from, and no governed call
 * made while the agent is getting ready escapes the policy.
 */
class StartupIT {

    private static final int EXIT_CONFIG = 78;

    @TempDir
    Path dir;

    private Path invalidPolicy() throws IOException {
        return Files.writeString(dir.resolve("bad-policy.yaml"), """
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

    /** A valid policy whose own {@code log.path} tells which file was used. */
    private Path policyLoggingTo(String name, Path log) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                version: 1
                tools:
                  default: allow
                log:
                  path: "%s"
                """.formatted(log.toAbsolutePath().toString().replace("\\", "/")));
    }

    private static void assertMainNeverRan(ForkedApp.Result result) {
        assertFalse(result.stdout().contains("jackson="), () -> "the app's main must not run\n" + result);
        assertFalse(result.stdout().contains("ISOLATION DONE"), () -> "the app's main must not run\n" + result);
    }

    @Test
    void invalidPolicyStopsTheJvmBeforeMainWithLocatedErrors() throws IOException {
        Path policy = invalidPolicy();

        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION)
                .agent(AgentJar.requireImplemented(), policy, dir.resolve("log.jsonl")).run();

        assertEquals(EXIT_CONFIG, result.exitCode(), result::toString);
        assertMainNeverRan(result);
        Pattern located = Pattern.compile("^\\[tollgate\\] \\S*bad-policy\\.yaml:\\d+:\\d+: \\S");
        assertTrue(result.countStderrMatching(located) >= 2, () -> "both errors located by file:line:col\n" + result);
        assertTrue(result.stderr().contains("bad-policy.yaml:3:"), () -> "tools.default is on line 3\n" + result);
    }

    @Test
    void missingPolicyFileStopsTheJvm() {
        Path missing = dir.resolve("no-such-policy.yaml");

        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION)
                .agent(AgentJar.requireImplemented(), missing, dir.resolve("log.jsonl")).run();

        assertEquals(EXIT_CONFIG, result.exitCode(), result::toString);
        assertMainNeverRan(result);
        assertTrue(result.stderr().contains("[tollgate]") && result.stderr().contains("no-such-policy.yaml"), result::toString);
    }

    /** The log is opened by its first write, off premain's path; a path that cannot hold it still stops the JVM. */
    @Test
    void aLogPathThatCannotBeWrittenStopsTheJvmBeforeMain() throws IOException {
        Path directory = Files.createDirectories(dir.resolve("a-directory.jsonl"));

        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION)
                .agent(AgentJar.requireImplemented(), policyLoggingTo("valid", directory), directory).run();

        assertEquals(EXIT_CONFIG, result.exitCode(), result::toString);
        assertMainNeverRan(result);
        assertTrue(result.stderr().contains("cannot open the enforcement log") && result.stderr().contains("is a directory"),
                result::toString);
    }

    /**
     * The same agent given twice (a launcher script and JAVA_TOOL_OPTIONS, say): the first governs, the second says
     * it is ignored, and nothing is set up twice (one log's first lines, the app runs).
     */
    @Test
    void aSecondJavaagentOfTheSameJarIsIgnoredAndSaysSo() throws IOException {
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");
        Path agent = AgentJar.requireImplemented();

        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "policy=" + policyLoggingTo("first", first).toAbsolutePath())
                .agent(agent, "policy=" + policyLoggingTo("second", second).toAbsolutePath())
                .run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("ISOLATION DONE"), result::toString);
        assertEquals(1, result.stderrLines().stream().filter(l -> l.contains("already attached to this JVM")).count(),
                result::toString);
        assertLoadedFrom(policyLoggingTo("first", first), first);
        assertFalse(Files.exists(second), "the second agent must set nothing up\n" + result);
    }

    @Test
    void failModeOpenRunsTheAppUngovernedAndSaysSoOnce() throws IOException {
        ForkedApp.Result result = ForkedApp.of(AppModule.ISOLATION)
                .agent(AgentJar.requireImplemented(), invalidPolicy(), dir.resolve("log.jsonl"))
                .jvmArg("-Dtollgate.fail-mode=open")
                .run();

        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("ISOLATION DONE"), result::toString);
        assertEquals(1, result.stderrLines().stream().filter(l -> l.contains("[tollgate]") && l.contains("DISABLED")).count(),
                result::toString);
    }

    @Test
    void agentArgumentBeatsSystemPropertyBeatsEnvironment() throws IOException {
        Path logA = dir.resolve("from-agent-arg.jsonl");
        Path logB = dir.resolve("from-system-property.jsonl");
        Path logC = dir.resolve("from-env.jsonl");
        Path policyA = policyLoggingTo("policy-agent-arg", logA);
        Path policyB = policyLoggingTo("policy-system-property", logB);
        Path policyC = policyLoggingTo("policy-env", logC);
        Path agent = AgentJar.requireImplemented();

        ForkedApp.Result all = ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "policy=" + policyA.toAbsolutePath())
                .jvmArg("-Dtollgate.policy=" + policyB.toAbsolutePath())
                .env("TOLLGATE_POLICY", policyC.toAbsolutePath().toString())
                .run();
        assertEquals(0, all.exitCode(), all::toString);
        assertLoadedFrom(policyA, logA);
        assertFalse(Files.exists(logB) || Files.exists(logC), "only the agent argument's policy may take effect");

        ForkedApp.Result propertyAndEnv = ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "")
                .jvmArg("-Dtollgate.policy=" + policyB.toAbsolutePath())
                .env("TOLLGATE_POLICY", policyC.toAbsolutePath().toString())
                .run();
        assertEquals(0, propertyAndEnv.exitCode(), propertyAndEnv::toString);
        assertLoadedFrom(policyB, logB);
        assertFalse(Files.exists(logC), "the system property beats the environment");

        ForkedApp.Result envOnly = ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "")
                .env("TOLLGATE_POLICY", policyC.toAbsolutePath().toString())
                .run();
        assertEquals(0, envOnly.exitCode(), envOnly::toString);
        assertLoadedFrom(policyC, logC);
    }

    @Test
    void logPathPrecedenceIsAgentArgumentSystemPropertyEnvironmentPolicyFile() throws IOException {
        Path fromPolicy = dir.resolve("log-from-policy.jsonl");
        Path fromEnv = dir.resolve("log-from-env.jsonl");
        Path fromProperty = dir.resolve("log-from-property.jsonl");
        Path fromArgument = dir.resolve("log-from-argument.jsonl");
        Path policy = policyLoggingTo("policy-with-log", fromPolicy);
        Path agent = AgentJar.requireImplemented();

        ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "policy=" + policy.toAbsolutePath() + ",log=" + fromArgument.toAbsolutePath())
                .jvmArg("-Dtollgate.log=" + fromProperty.toAbsolutePath())
                .env("TOLLGATE_LOG", fromEnv.toAbsolutePath().toString())
                .run();
        assertOnlyLog(fromArgument, fromProperty, fromEnv, fromPolicy);

        ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "policy=" + policy.toAbsolutePath())
                .jvmArg("-Dtollgate.log=" + fromProperty.toAbsolutePath())
                .env("TOLLGATE_LOG", fromEnv.toAbsolutePath().toString())
                .run();
        assertOnlyLog(fromProperty, fromEnv, fromPolicy);

        ForkedApp.of(AppModule.ISOLATION)
                .agent(agent, "policy=" + policy.toAbsolutePath())
                .env("TOLLGATE_LOG", fromEnv.toAbsolutePath().toString())
                .run();
        assertOnlyLog(fromEnv, fromPolicy);

        ForkedApp.of(AppModule.ISOLATION).agent(agent, "policy=" + policy.toAbsolutePath()).run();
        assertOnlyLog(fromPolicy);
    }

    /**
     * A tool called from a static initializer (before {@code main}) and an LLM call and another tool on {@code main}'s
     * first lines, while ByteBuddy is still being set up in the background: the load gate holds LangChain4j's tool
     * dispatcher and the JDK HttpClient until the guard is installed, so every call is decided.
     */
    @Test
    void callsMadeWhileTheAgentGetsReadyAreGoverned() throws IOException {
        Path policy = earlyCallsPolicy("early", "");
        EarlyRun run = earlyCallsAreDenied(policy, "early", List.of());

        ForkedApp.Result result = run.result();
        assertTrue(result.stdoutLines().contains("DONE"), result::toString);
        assertTrue(result.stdout().contains("TOOL static-init blocked by policy"), result::toString);
        assertTrue(result.stdout().contains("TOOL main blocked by policy"), result::toString);
        // premain's gate is built from the anchors listed when the jar was packaged: they cover every module's
        assertFalse(result.stderr().contains("anchor list"), result::toString);
        assertEquals(1, run.entries().events("llm.call").size(), run.entries()::toString);
        Map<String, Object> ready = run.ready();
        for (String field : List.of("guard_ms", "weave_setup_ms", "retransform_ms", "app_blocked_ms", "blocked_calls")) {
            assertTrue(ready.get(field) instanceof Number, () -> "agent.ready reports " + field + ": " + ready);
        }
    }

    /**
     * premain reads the configuration and the policy while thread {@code tollgate-modules} defines the bootstrap
     * classes. With that definition held back 400 ms (the agent's test hook), the class-load log shows the policy
     * read before the bootstrap's {@code Guard} was defined, and the early calls are all decided as ever; a bad policy
     * still stops the JVM before {@code main}, with its located errors.
     */
    @Test
    void callsMadeWhileTheBootstrapClassesAreStillBeingDefinedAreGoverned() throws IOException {
        Path classes = dir.resolve("slow-define-classes.log");
        String delay = "-Dtollgate.test.define-delay-ms=400";
        EarlyRun run = earlyCallsAreDenied(earlyCallsPolicy("slow-define", ""), "slow-define",
                List.of(delay, "-Xlog:class+load:file=" + classes.toAbsolutePath()));

        assertTrue(run.result().stdoutLines().contains("DONE"), run.result()::toString);
        assertFalse(run.result().stderr().contains("cannot start"), run.result()::toString);
        List<String> loads = Files.readAllLines(classes);
        int policyRead = indexOf(loads, " dev.tollgate.policy.PolicyValidator ");
        int guardDefined = indexOf(loads, " dev.tollgate.bootstrap.Guard ");
        assertTrue(policyRead >= 0 && guardDefined > policyRead,
                () -> "the policy is read (line " + policyRead + ") before Guard is defined (line " + guardDefined + ")");
        assertTrue(loads.get(guardDefined).contains("source: tollgate-agent"),
                () -> "Guard is defined by the agent in the boot loader: " + loads.get(guardDefined));

        ForkedApp.Result bad = ForkedApp.of(AppModule.ISOLATION)
                .agent(AgentJar.requireImplemented(), invalidPolicy(), dir.resolve("bad.jsonl"))
                .jvmArg(delay).run();
        assertEquals(EXIT_CONFIG, bad.exitCode(), bad::toString);
        assertMainNeverRan(bad);
        assertTrue(bad.stderr().contains("bad-policy.yaml:3:"), bad::toString);
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The same early calls on a second start, woven from the weave cache the first start filled: ByteBuddy is never
     * loaded (the class-load log says so), every call is decided as before; the test JVMs' cross-check (ByteBuddy
     * weaves too and the outcomes must be equal) finds no difference; an altered cache entry is never defined (the
     * class is woven by ByteBuddy instead, and still governed).
     */
    @Test
    void aSecondStartWeavesFromTheCacheWithoutByteBuddyAndStaysGoverned() throws IOException {
        Path ledger = dir.resolve("ledger");
        Path policy = earlyCallsPolicy("cached",
                "ledger: { dir: \"" + ledger.toAbsolutePath().toString().replace("\\", "/") + "\" }\n");
        Path cache = ledger.resolve("weave-cache");

        Map<String, Object> cold = earlyCallsAreDenied(policy, "cold", List.of()).ready();
        assertEquals("cold", cold.get("weave_cache"), cold::toString);
        assertEquals("with the weaving", cold.get("guard_start"), cold::toString);
        List<Path> entries;
        try (var files = Files.list(cache)) {
            entries = files.filter(f -> f.toString().endsWith(".woven")).toList();
        }
        assertFalse(entries.isEmpty(), "the first start stored what it wove");

        Path classes = dir.resolve("class-load.log");
        Map<String, Object> warm = earlyCallsAreDenied(policy, "warm",
                List.of("-Dtollgate.weave.cross-check=false", "-Xlog:class+load:file=" + classes.toAbsolutePath()))
                .ready();
        assertEquals("warm", warm.get("weave_cache"), warm::toString);
        // nothing of the app's start needed the guard: its set-up began when the static initializer's tool call
        // wanted it, and that call waited for it
        assertEquals("first call", warm.get("guard_start"), warm::toString);
        List<String> byteBuddy = Files.readAllLines(classes).stream()
                .filter(l -> l.contains(" net.bytebuddy.agent.") || l.contains(" net.bytebuddy.asm.")).toList();
        assertEquals(List.of(), byteBuddy, "a start woven from the cache loads no ByteBuddy weaving class");

        Map<String, Object> checked = earlyCallsAreDenied(policy, "cross-checked", List.of()).ready();
        assertEquals("warm", checked.get("weave_cache"), checked::toString);

        for (Path entry : entries) { // an attacker (or a torn disk) alters every entry's woven bytes
            byte[] bytes = Files.readAllBytes(entry);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(entry, bytes);
        }
        earlyCallsAreDenied(policy, "altered", List.of("-Dtollgate.weave.cross-check=false"));
    }

    /**
     * An app that starts and ends without a governed call, on a warm weave cache: the guard's set-up (ledger, engine,
     * budgets, watcher, metrics) never began, as nothing needed it, and the log still has its first lines, an
     * {@code agent.ready} saying so, and {@code agent.stopped}, in that order; the ledger was not opened.
     */
    @Test
    void anAppThatEndsBeforeAnyGovernedCallNeedsNoGuardSetUp() throws IOException {
        Path ledger = dir.resolve("ledger-unused");
        Path policy = Files.writeString(dir.resolve("unused.yaml"), """
                version: 1
                tools: { deny: ["delete_*"] }
                budgets:
                  - { name: process-cap, scope: process, max_usd: 1.00 }
                ledger: { dir: "%s" }
                """.formatted(ledger.toAbsolutePath().toString().replace("\\", "/")));
        ForkedApp.Result warmUp = ForkedApp.of(AppModule.LANGCHAIN4J)
                .agent(AgentJar.requireImplemented(), policy, dir.resolve("first.jsonl"))
                .args("--base-url", "http://127.0.0.1:9/v1", "--startup-only").run();
        assertEquals(0, warmUp.exitCode(), warmUp::toString);
        assertFalse(ledgerFiles(ledger).isEmpty(), "the first (cold-cache) start's set-up opened the ledger");
        for (Path f : ledgerFiles(ledger)) {
            deleteTree(f);
        }

        Path log = dir.resolve("unused.jsonl");
        // the app must end before its start-up counts as over (1 s without a class load): on a loaded machine a pause
        // that long came once, and the set-up began; a quiet period longer than the run leaves only the app's end
        ForkedApp.Result result = ForkedApp.of(AppModule.LANGCHAIN4J)
                .agent(AgentJar.requireImplemented(), policy, log)
                .jvmArg("-Dtollgate.guard.quiet-ms=120000")
                .args("--base-url", "http://127.0.0.1:9/v1", "--startup-only").run();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("STARTED"), result::toString);
        EnforcementLog entries = EnforcementLog.read(log);
        Map<String, Object> ready = entries.only("agent.ready");
        assertEquals("warm", ready.get("weave_cache"), ready::toString);
        assertEquals("never", ready.get("guard_start"), ready::toString);
        List<String> order = entries.entries().stream().map(e -> (String) e.get("event"))
                .filter(e -> e.startsWith("agent.") || e.equals("policy.loaded")).toList();
        assertEquals(List.of("agent.started", "policy.loaded", "agent.ready", "agent.stopped"), order,
                entries::toString);
        assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue());
        assertEquals(List.of(), ledgerFiles(ledger), "no governed call, no ledger opened");
    }

    /** The same start without the agent: it starts, prints STARTED, and writes no log. */
    @Test
    @WithoutTheAgent
    void withoutTheAgentTheSameStartWritesNoLog() {
        ForkedApp.Result result = ForkedApp.of(AppModule.LANGCHAIN4J)
                .args("--base-url", "http://127.0.0.1:9/v1", "--startup-only").run();
        assertEquals(0, result.exitCode(), result::toString);
        assertTrue(result.stdoutLines().contains("STARTED"), result::toString);
        assertFalse(Files.exists(dir.resolve("unused.jsonl")));
    }

    /** The ledger directory's entries but the weave cache's. */
    private static List<Path> ledgerFiles(Path ledger) throws IOException {
        try (var files = Files.list(ledger)) {
            return files.filter(f -> !f.getFileName().toString().equals("weave-cache")).sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The early-calls app's policy: {@code delete_*} tools denied, no LLM call allowed; {@code more} YAML after. */
    private Path earlyCallsPolicy(String name, String more) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                version: 1
                tools:
                  default: allow
                  deny: ["delete_*"]
                limits:
                  - { name: no-llm, scope: process, llm: "*", max_calls: 0 }
                """ + more);
    }

    /** One run of the early-calls app: what it printed, its enforcement log. */
    private record EarlyRun(ForkedApp.Result result, EnforcementLog entries) {
        Map<String, Object> ready() {
            return entries.only("agent.ready");
        }
    }

    /** Runs the early-calls app with {@code policy}: all three calls denied, nothing suppressed. */
    private EarlyRun earlyCallsAreDenied(Path policy, String name, List<String> jvmArgs) throws IOException {
        Path victim = Files.writeString(dir.resolve("victim-" + name + ".txt"), "keep me");
        Path log = dir.resolve(name + ".jsonl");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(10, 5).start()) {
            ForkedApp app = ForkedApp.of(AppModule.LANGCHAIN4J_EARLY_CALLS)
                    .agent(AgentJar.requireImplemented(), policy, log)
                    .jvmArg("-Dearly.victim=" + victim.toAbsolutePath());
            jvmArgs.forEach(app::jvmArg);
            ForkedApp.Result result = app
                    .args("--base-url", sim.baseUrl(), "--victim", victim.toAbsolutePath().toString())
                    .run();

            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(result.stdout().contains("TOOL_RAN"), () -> name + ": no delete_file body may run\n" + result);
            assertTrue(Files.exists(victim), () -> name + ": the victim survives\n" + result);
            assertEquals(0, sim.requestCount(), () -> name + ": the LLM call never leaves the JVM\n" + result);
            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> tools = entries.toolCalls("delete_file");
            assertEquals(2, tools.size(), entries::toString);
            assertTrue(tools.stream().allMatch(e -> "deny".equals(e.get("decision"))), entries::toString);
            assertEquals("deny", entries.only("llm.call").get("decision"), entries::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue(),
                    () -> name + ": " + entries + "\n" + result);
            return new EarlyRun(result, entries);
        }
    }

    /** The same early calls without the agent: the tool deletes the file and the LLM call reaches the provider. */
    @Test
    @WithoutTheAgent
    void withoutTheAgentTheEarlyCallsGoThrough() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        try (ProviderSimulator sim = ProviderSimulator.builder(Script.empty()).usage(10, 5).start()) {
            ForkedApp.Result result = ForkedApp.of(AppModule.LANGCHAIN4J_EARLY_CALLS)
                    .jvmArg("-Dearly.victim=" + victim.toAbsolutePath())
                    .args("--base-url", sim.baseUrl(), "--victim", victim.toAbsolutePath().toString())
                    .run();

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("DONE"), result::toString);
            assertTrue(result.stdout().contains("TOOL_RAN"), () -> "the static initializer's tool body runs\n" + result);
            assertFalse(Files.exists(victim), () -> "without the agent the file is deleted\n" + result);
            assertEquals(1, sim.requestCount(), () -> "the LLM call reaches the provider\n" + result);
        }
    }

    private static void assertLoadedFrom(Path policy, Path log) {
        EnforcementLog entries = EnforcementLog.read(log);
        Map<String, Object> loaded = entries.only("policy.loaded");
        String source = String.valueOf(loaded.get("source"));
        assertTrue(source.endsWith(policy.getFileName().toString()), () -> "source " + source + " should be " + policy);
    }

    /** {@code expected} was written (with policy.loaded); none of the lower-precedence {@code others} was. */
    private static void assertOnlyLog(Path expected, Path... others) {
        assertTrue(EnforcementLog.read(expected).first("policy.loaded").isPresent(), expected::toString);
        for (Path other : others) {
            assertFalse(Files.exists(other), () -> other + " must not be written when " + expected + " is configured");
        }
    }
}
