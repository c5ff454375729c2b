package dev.tollgate.it.demo;

import dev.tollgate.it.apps.langchain4j.ToolLoopApp;
import dev.tollgate.sim.ProviderSimulator;
import dev.tollgate.sim.Script;
import dev.tollgate.sim.ToolCall;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The demo: an unmodified LangChain4j app, a scripted "model" (the provider simulator, in this JVM) that asks it
 * to delete a file and then to look up five keys, and whatever agent this JVM was started with. Prints what the
 * model asked for, what the framework answered, whether the file survived, and the enforcement log of this run.
 * <pre>java -javaagent:agent/target/tollgate-agent.jar=policy=POLICY -cp ... LangChain4jDemo [POLICY]</pre>
 */
public final class LangChain4jDemo {

    private LangChain4jDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path policy = args.length > 0 ? Path.of(args[0]) : null;
        boolean agentAttached = tollgateOnBootClassPath();
        Path victim = Files.createTempDirectory("tollgate-demo").resolve("important-report.txt");
        Files.writeString(victim, "quarterly numbers\n");

        Script.Builder builder = Script.builder().callTool("delete_file", "{\"path\":\"" + victim.toString().replace("\\", "\\\\") + "\"}");
        for (int k = 1; k <= 5; k++) {
            builder.callTool("lookup", "{\"key\":\"k" + k + "\"}");
        }
        Script script = builder.answer("I tried to clean up and looked up k1..k5.").build();

        banner("Tollgate demo: LangChain4j " + (agentAttached ? "WITH the Tollgate agent" : "WITHOUT any agent"));
        System.out.println("policy : " + (policy == null ? "(none)" : policy));
        System.out.println("victim : " + victim);
        System.out.println("model  : scripted -- delete_file(victim), then lookup k1..k5 one per turn");
        System.out.println();

        String outcome;
        try (ProviderSimulator simulator = ProviderSimulator.start(script)) {
            try {
                outcome = "RESULT: " + ToolLoopApp.run(simulator.baseUrl(), victim, false);
            } catch (Exception e) {
                outcome = "EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage();
            }
            Map<String, ToolCall> calls = script.allCalls().stream()
                    .collect(Collectors.toMap(ToolCall::id, Function.identity()));
            banner("What the framework told the model, per tool call");
            int blocked = 0;
            for (ProviderSimulator.ToolResult result : simulator.toolResults()) {
                ToolCall call = calls.get(result.toolCallId());
                boolean refused = result.content().startsWith("blocked by policy:");
                blocked += refused ? 1 : 0;
                System.out.printf("%-8s %-12s -> %s%n", refused ? "BLOCKED" : "ran", call == null ? "?" : call.name(),
                        result.content());
            }
            System.out.println();
            System.out.println(outcome);
            System.out.println("victim file " + (Files.exists(victim) ? "STILL EXISTS" : "WAS DELETED"));
            System.out.println(blocked + " tool call(s) blocked by policy");
        }

        Path log = findLog(policy);
        banner("Enforcement log" + (log == null ? "" : " (" + log + ", this run)"));
        if (log == null) {
            System.out.println("(no enforcement log found -- was the agent attached?)");
        } else {
            thisRun(log).forEach(System.out::println);
            System.out.println("(agent.stopped is appended when this JVM exits)");
        }
    }

    /** The agent appends its bootstrap facade to the boot class path; nothing else puts it there. */
    private static boolean tollgateOnBootClassPath() {
        try {
            Class.forName("dev.tollgate.bootstrap.Guard", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void banner(String title) {
        System.out.println();
        System.out.println("=== " + title + " ===");
    }

    /** {@code -Dtollgate.log}, else the demo policy's {@code tollgate-demo.jsonl} in the working directory or next to the policy. */
    private static Path findLog(Path policy) {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty("tollgate.log", System.getenv("TOLLGATE_LOG"));
        if (configured != null) {
            candidates.add(Path.of(configured));
        }
        candidates.add(Path.of("tollgate-demo.jsonl"));
        if (policy != null && policy.toAbsolutePath().getParent() != null) {
            candidates.add(policy.toAbsolutePath().getParent().resolve("tollgate-demo.jsonl"));
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElse(null);
    }

    /** The log is append-only across runs: show it from this JVM's {@code agent.started} on. */
    private static List<String> thisRun(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"event\":\"agent.started\"")) {
                start = i;
            }
        }
        return lines.subList(start, lines.size());
    }
}
