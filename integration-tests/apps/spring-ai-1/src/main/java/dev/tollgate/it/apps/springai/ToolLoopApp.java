package dev.tollgate.it.apps.springai;

import java.nio.file.Path;
import org.springframework.ai.chat.client.ChatClient;

/**
 * An ordinary Spring AI app, unaware of Tollgate and without Spring Boot: one {@code ChatClient} call against an
 * OpenAI-compatible endpoint, with a destructive tool and a harmless one.
 * <pre>ToolLoopApp --base-url URL --victim PATH
 * ToolLoopApp --base-url URL --startup-only</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3. With
 * {@code --startup-only} it builds the {@code ChatClient} and the prompt with its tools, prints {@code STARTED}
 * and exits 0 without calling the model: the start-up benchmark measures start-up, not model latency.
 */
public final class ToolLoopApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";

    private ToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        boolean startupOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                case "--startup-only" -> startupOnly = true;
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (startupOnly && baseUrl != null) {
            prompt(baseUrl, "start-up only");
            System.out.println("STARTED");
            System.exit(0);
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        try {
            System.out.println("RESULT: " + run(baseUrl, Path.of(victim)));
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    /** One run: asks the model to clean up {@code victim} and look some keys up; returns its answer. */
    public static String run(String baseUrl, Path victim) {
        return prompt(baseUrl, "Delete " + victim + ", then look up k1 to k5 one at a time.")
                .call()
                .content();
    }

    static ChatClient.ChatClientRequestSpec prompt(String baseUrl, String message) {
        ChatClient client = ChatClient.create(OpenAiModels.chatModel(baseUrl, API_KEY, MODEL));
        return client.prompt()
                .user(message)
                .tools(new HostTools());
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ToolLoopApp --base-url URL (--victim PATH | --startup-only)");
        System.exit(2);
    }
}
