package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;
import dev.langchain4j.service.tool.ToolExecutor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs of tool calls without a model, each on its own thread: LangChain4j's own {@code DefaultToolExecutor} runs the
 * {@code lookup} tool of {@link HostTools}, as an AI service would after a model turn.
 * <pre>ToolRunsApp --run NAME:CALLS[:START_FILE] [--run ...]</pre>
 * Each run is one call of {@link #work} (a policy names it in {@code runs.entry_points}), which looks up
 * {@code NAME-1} to {@code NAME-CALLS}, printing {@code RUN NAME CALL i <result>}; a run with a start file begins once
 * that file exists (a test creates it when it wants the run to go). Then {@code RUN NAME DONE}, or
 * {@code RUN NAME EXCEPTION <class>: <message>}; once every run has ended, {@code ALL DONE}.
 */
public final class ToolRunsApp {

    private ToolRunsApp() {
    }

    public static void main(String[] args) throws Exception {
        List<Thread> runs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].equals("--run") || i + 1 >= args.length) {
                System.err.println("usage: ToolRunsApp --run NAME:CALLS[:START_FILE] [--run ...]");
                System.exit(2);
            }
            String[] spec = args[++i].split(":", 3);
            String name = spec[0];
            int calls = Integer.parseInt(spec[1]);
            Path start = spec.length > 2 ? Path.of(spec[2]) : null;
            Thread t = new Thread(() -> {
                try {
                    while (start != null && !Files.exists(start)) {
                        Thread.sleep(50);
                    }
                    work(name, calls);
                    say("RUN " + name + " DONE");
                } catch (Throwable e) {
                    say("RUN " + name + " EXCEPTION " + e.getClass().getName() + ": " + e.getMessage());
                }
            }, "run-" + name);
            t.start();
            runs.add(t);
        }
        for (Thread t : runs) {
            t.join();
        }
        say("ALL DONE");
        System.exit(0);
    }

    /** One run: {@code calls} lookups through LangChain4j's tool executor. */
    public static void work(String name, int calls) throws Exception {
        ToolExecutor lookup = new DefaultToolExecutor(new HostTools(), HostTools.class.getMethod("lookup", String.class));
        for (int i = 1; i <= calls; i++) {
            ToolExecutionRequest request = ToolExecutionRequest.builder().id(name + "-" + i).name("lookup")
                    .arguments("{\"key\":\"" + name + "-" + i + "\"}").build();
            say("RUN " + name + " CALL " + i + " " + lookup.execute(request, name));
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
