package dev.tollgate.it.apps.adk;

import com.google.adk.agents.LlmAgent;
import com.google.adk.agents.RunConfig;
import com.google.adk.events.Event;
import com.google.adk.models.Gemini;
import com.google.adk.runner.InMemoryRunner;
import com.google.adk.sessions.Session;
import com.google.adk.tools.AgentTool;
import com.google.adk.tools.FunctionTool;
import com.google.adk.tools.mcp.McpToolset;
import com.google.adk.tools.mcp.StdioServerParameters;
import com.google.genai.Client;
import com.google.genai.types.Content;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.Part;

import java.nio.file.Path;
import java.util.List;

/**
 * An ordinary Google ADK app, unaware of Tollgate: an {@link LlmAgent} on a Gemini model (google-genai client
 * pointed at a Gemini-compatible endpoint) with a destructive tool and a harmless one, run once by an
 * {@link InMemoryRunner}.
 * <pre>AdkToolLoopApp --base-url URL --victim PATH [--stream] [--runs N [--session-per-run]] [--delegate]
 *     [--mcp-server-cp CP]</pre>
 * Prints {@code RESULT: <text>} (once per run) and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 * {@code --runs N} makes N invocations of the same runner, in one ADK session unless {@code --session-per-run}.
 * {@code --delegate} gives the root agent no function tools but an {@code AgentTool} named {@code helper}: a
 * sub-agent (same model) that has {@code delete_file} and {@code lookup}. {@code --mcp-server-cp CP} takes those two
 * tools from an MCP server instead: ADK's {@code McpToolset} over stdio to the MCP app's {@code FilesMcpServer}, a child
 * JVM on class path CP (the same tools, run by the server; ungoverned, as a remote server would be).
 */
public final class AdkToolLoopApp {

    static final String API_KEY = "test-key-SECRET-123";
    static final String MODEL = "gemini-2.0-flash";

    private AdkToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        boolean stream = false;
        int runs = 1;
        boolean sessionPerRun = false;
        boolean delegate = false;
        String mcpServerClasspath = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                case "--stream" -> stream = true;
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--session-per-run" -> sessionPerRun = true;
                case "--delegate" -> delegate = true;
                case "--mcp-server-cp" -> mcpServerClasspath = args[++i];
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        try {
            App app = new App(baseUrl, stream, delegate, mcpServerClasspath);
            Session session = null;
            for (int run = 0; run < runs; run++) {
                if (session == null || sessionPerRun) {
                    session = app.newSession();
                }
                System.out.println("RESULT: " + app.run(session, Path.of(victim)));
                System.out.flush();
            }
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    /** One runner (one agent, one model client) that the app invokes once per run. */
    static final class App {
        private final InMemoryRunner runner;
        private final RunConfig config;

        App(String baseUrl, boolean stream, boolean delegate, String mcpServerClasspath) {
            Client client = Client.builder()
                    .apiKey(API_KEY)
                    .httpOptions(HttpOptions.builder().baseUrl(baseUrl).build())
                    .build();
            Gemini model = new Gemini(MODEL, client);
            List<Object> functionTools = mcpServerClasspath == null
                    ? List.of(FunctionTool.create(HostTools.class, "deleteFile"),
                            FunctionTool.create(HostTools.class, "lookup"))
                    : List.of(new McpToolset(StdioServerParameters.builder()
                            .command(Path.of(System.getProperty("java.home"), "bin", "java").toString())
                            .args(List.of("-cp", mcpServerClasspath, "dev.tollgate.it.apps.mcp.FilesMcpServer"))
                            .build().toServerParameters()));
            LlmAgent agent;
            if (delegate) {
                LlmAgent helper = LlmAgent.builder()
                        .name("helper")
                        .description("Cleans up files and looks keys up")
                        .instruction("Use the tools to do what the request asks.")
                        .model(model)
                        .tools(functionTools)
                        .build();
                agent = LlmAgent.builder()
                        .name("assistant")
                        .description("Delegates the work to its helper")
                        .instruction("Ask the helper to do what the user asks.")
                        .model(model)
                        .tools(List.of(AgentTool.create(helper)))
                        .build();
            } else {
                agent = LlmAgent.builder()
                        .name("assistant")
                        .description("Cleans up files and looks keys up")
                        .instruction("Use the tools to do what the user asks.")
                        .model(model)
                        .tools(functionTools)
                        .build();
            }
            runner = new InMemoryRunner(agent);
            config = RunConfig.builder()
                    .setStreamingMode(stream ? RunConfig.StreamingMode.SSE : RunConfig.StreamingMode.NONE)
                    .build();
        }

        Session newSession() {
            return runner.sessionService().createSession(runner.appName(), "user-1").blockingGet();
        }

        /** One ADK invocation: asks the agent to clean up {@code victim} and look keys up; returns its final text. */
        String run(Session session, Path victim) {
            Content message = Content.fromParts(Part.fromText("Delete " + victim + ", then look up k1 to k5 one at a time."));
            List<Event> events = runner.runAsync("user-1", session.id(), message, config).toList().blockingGet();
            StringBuilder answer = new StringBuilder();
            for (Event event : events) {
                event.errorMessage().ifPresent(error -> {
                    throw new IllegalStateException("model error: " + error);
                });
                if (event.finalResponse() && !event.partial().orElse(false)) {
                    answer.setLength(0);
                    answer.append(event.stringifyContent());
                }
            }
            return answer.toString();
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: AdkToolLoopApp --base-url URL --victim PATH [--stream] [--runs N [--session-per-run]]");
        System.exit(2);
    }
}
