package dev.tollgate.it.apps.adk;

import com.google.adk.agents.LlmAgent;
import com.google.adk.agents.RunConfig;
import com.google.adk.events.Event;
import com.google.adk.models.Gemini;
import com.google.adk.runner.InMemoryRunner;
import com.google.genai.Client;
import com.google.genai.types.Content;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.Part;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An ordinary Google ADK app, unaware of Tollgate: one {@link LlmAgent} without tools, invoked N times for each of
 * several users, each user's invocations in their own ADK session (session id = the user's name).
 * <pre>AdkSessionApp --base-url URL [--users alice,bob] [--calls N] [--max-tokens M] [--stream]</pre>
 * Prints {@code CALL <user> <i> ok} or {@code CALL <user> <i> error=<class>: <message>} per invocation, then
 * {@code DONE ok=<n>}.
 */
public final class AdkSessionApp {
    private AdkSessionApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        List<String> users = List.of("alice", "bob");
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--users" -> users = List.of(args[++i].split(","));
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Client client = Client.builder()
                .apiKey(AdkToolLoopApp.API_KEY)
                .httpOptions(HttpOptions.builder().baseUrl(baseUrl).build())
                .build();
        LlmAgent agent = LlmAgent.builder()
                .name("assistant")
                .description("Answers questions")
                .instruction("Answer the user's question.")
                .model(new Gemini("sim-model", client))
                .generateContentConfig(GenerateContentConfig.builder().maxOutputTokens(maxTokens).build())
                .build();
        InMemoryRunner runner = new InMemoryRunner(agent);
        RunConfig config = RunConfig.builder()
                .setStreamingMode(stream ? RunConfig.StreamingMode.SSE : RunConfig.StreamingMode.NONE)
                .build();
        int ok = 0;
        for (String user : users) {
            String sessionId = runner.sessionService()
                    .createSession(runner.appName(), user, new ConcurrentHashMap<String, Object>(), user)
                    .blockingGet().id();
            for (int i = 1; i <= calls; i++) {
                try {
                    Content message = Content.fromParts(
                            Part.fromText("Question number " + i + ": what is the capital of France?"));
                    List<Event> events = runner.runAsync(user, sessionId, message, config).toList().blockingGet();
                    for (Event event : events) {
                        event.errorMessage().ifPresent(error -> {
                            throw new IllegalStateException("model error: " + error);
                        });
                    }
                    ok++;
                    System.out.println("CALL " + user + " " + i + " ok");
                } catch (Exception e) {
                    System.out.println("CALL " + user + " " + i + " error=" + e.getClass().getName() + ": "
                            + e.getMessage());
                }
                System.out.flush();
            }
        }
        System.out.println("DONE ok=" + ok);
        System.out.flush();
        System.exit(0);
    }
}
