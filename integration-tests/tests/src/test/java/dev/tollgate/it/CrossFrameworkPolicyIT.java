package dev.tollgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.it.harness.AgentJar;
import dev.tollgate.it.harness.AppModule;
import dev.tollgate.it.harness.EnforcementLog;
import dev.tollgate.it.harness.ForkedApp;
import dev.tollgate.it.harness.WithoutTheAgent;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One policy, every framework: a profile whose tools deny {@code delete_*} and carry an argument rule (lookups of
 * {@code k2} are confidential), and a run limit of 5. The model asks to delete a file, then for lookups k1..k7,
 * one per turn. Whatever the framework, the user sees the same thing: the file survives, k2 is refused by the
 * rule, exactly five lookups run (k1, k3..k6: a refused call does not count), k7 is refused by the limit, and the
 * model is told why each time. Without the agent the same app deletes the file and runs all seven lookups.
 * (LangGraph4j's tool node calls LangChain4j's executors, so its tool calls carry {@code framework: langchain4j};
 * its run is the graph invocation.)
 */
class CrossFrameworkPolicyIT {
    private static final String POLICY = """
            version: 1
            profile: guarded
            profiles:
              guarded:
                tools:
                  deny: ["delete_*"]
                  rules:
                    - tool: lookup
                      args: { key: "k2" }
                      decision: deny
                      reason: k2 is confidential
            limits:
              - { name: tools-per-run, scope: run, tools: "*", max_calls: 5 }
            """;
    private static final int LOOKUPS = 7;

    @TempDir
    Path dir;

    private Path victim;

    private Script script() throws IOException {
        victim = Files.writeString(dir.resolve("victim-" + System.nanoTime() + ".txt"), "precious");
        Script.Builder script = Script.builder().callTool("delete_file", "path", victim.toString());
        for (int k = 1; k <= LOOKUPS; k++) {
            script.callTool("lookup", "key", "k" + k);
        }
        return script.answer("finished").build();
    }

    private static boolean gemini(AppModule app) {
        return app == AppModule.GOOGLE_ADK || app == AppModule.GOOGLE_ADK_1_0;
    }

    private static String framework(AppModule app) {
        return switch (app) {
            case LANGCHAIN4J, LANGCHAIN4J_1_0, LANGGRAPH4J, LANGGRAPH4J_1_8 -> "langchain4j";
            case SPRING_AI_1, SPRING_AI_2 -> "spring-ai";
            case GOOGLE_ADK, GOOGLE_ADK_1_0 -> "google-adk";
            default -> throw new IllegalArgumentException(app.name());
        };
    }

    /** What the framework sent back to the model for turn {@code turn}'s tool call. */
    private static String toldTheModel(AppModule app, ProviderSimulator simulator, int turn) {
        String id = Script.callId(turn, 0);
        Optional<String> told = gemini(app) ? simulator.functionResponse(id).map(Object::toString)
                : simulator.toolResult(id);
        return told.orElseThrow(() -> new AssertionError("no tool result for turn " + turn));
    }

    private ForkedApp.Result run(AppModule app, ProviderSimulator simulator, Path log) throws IOException {
        ForkedApp fork = ForkedApp.of(app).args("--base-url", gemini(app) ? simulator.geminiBaseUrl()
                : simulator.baseUrl(), "--victim", victim.toString());
        if (log != null) {
            fork.agent(AgentJar.requireImplemented(), Files.writeString(dir.resolve("policy.yaml"), POLICY), log);
        }
        return fork.run();
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class,
            names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0", "SPRING_AI_1", "SPRING_AI_2", "GOOGLE_ADK", "GOOGLE_ADK_1_0",
                "LANGGRAPH4J", "LANGGRAPH4J_1_8"})
    @WithoutTheAgent
    void withoutTheAgentEveryToolRuns(AppModule app) throws IOException {
        try (ProviderSimulator simulator = ProviderSimulator.start(script())) {
            ForkedApp.Result result = run(app, simulator, null);

            assertEquals(0, result.exitCode(), result::toString);
            assertFalse(Files.exists(victim), "without the agent the tool deletes the file");
            assertEquals(LOOKUPS, result.countStdout("TOOL_RAN lookup"), result::toString);
        }
    }

    @ParameterizedTest
    @EnumSource(value = AppModule.class,
            names = {"LANGCHAIN4J", "LANGCHAIN4J_1_0", "SPRING_AI_1", "SPRING_AI_2", "GOOGLE_ADK", "GOOGLE_ADK_1_0",
                "LANGGRAPH4J", "LANGGRAPH4J_1_8"})
    void theSamePolicyGivesTheSameOutcome(AppModule app) throws IOException {
        Path log = dir.resolve("enforcement.jsonl");
        try (ProviderSimulator simulator = ProviderSimulator.start(script())) {
            ForkedApp.Result result = run(app, simulator, log);

            assertEquals(0, result.exitCode(), result::toString);
            assertTrue(result.stdoutLines().contains("RESULT: finished"), result::toString);
            assertTrue(Files.exists(victim), "the denied tool must not run");
            assertEquals(0, result.countStdout("TOOL_RAN delete_file"), result::toString);
            assertEquals(List.of("TOOL_RAN lookup k1", "TOOL_RAN lookup k3", "TOOL_RAN lookup k4",
                    "TOOL_RAN lookup k5", "TOOL_RAN lookup k6"),
                    result.stdoutLines().stream().filter(l -> l.startsWith("TOOL_RAN")).toList(), result::toString);

            assertTrue(toldTheModel(app, simulator, 1).contains("blocked by policy: profiles.guarded.tools.deny[0]"),
                    toldTheModel(app, simulator, 1));
            assertTrue(toldTheModel(app, simulator, 3).contains(
                    "blocked by policy: profiles.guarded.tools.rules[0]: k2 is confidential"), toldTheModel(app, simulator, 3));
            assertTrue(toldTheModel(app, simulator, 8).contains("blocked by policy: limits[0]"),
                    toldTheModel(app, simulator, 8));

            EnforcementLog entries = EnforcementLog.read(log);
            List<Map<String, Object>> calls = entries.events("tool.call");
            assertEquals(1 + LOOKUPS, calls.size(), entries::toString);
            assertEquals(1, calls.stream().map(c -> c.get("run")).distinct().count(), entries::toString);
            for (Map<String, Object> call : calls) {
                assertEquals(framework(app), call.get("framework"), entries::toString);
            }
            assertEquals("guarded", entries.only("policy.loaded").get("profile"), entries::toString);
            assertEquals(0, ((Number) entries.only("agent.stopped").get("suppressed_errors")).intValue());
            assertFalse(entries.text().contains(victim.getFileName().toString()), "arguments never in clear");
        }
    }
}
