package dev.tollgate.it.apps.springai;

import java.nio.file.Path;
import org.springframework.ai.chat.client.ChatClient;

/**
 * An ordinary Spring AI app, unaware of Tollgate and without Spring Boot: one {@code ChatClient} call against an
 * OpenAI-compatible endpoint, with a destructive tool and a harmless one.
 * <pre>ToolLoopApp --base-url URL --victim PATH</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 */
public final class ToolLoopApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";

    private ToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                default -> usage("unknown argument " + args[i]);
            }
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
        ChatClient client = ChatClient.create(OpenAiModels.chatModel(baseUrl, API_KEY, MODEL));
        return client.prompt()
                .user("Delete " + victim + ", then look up k1 to k5 one at a time.")
                .tools(new HostTools())
                .call()
                .content();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ToolLoopApp --base-url URL --victim PATH");
        System.exit(2);
    }
}
