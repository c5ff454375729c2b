package dev.tollgate.it.apps.springai;

import java.util.List;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * An ordinary Spring AI app, unaware of Tollgate, that asks the OpenAI chat model a question N times with Spring
 * AI's default retry settings (1.x: RestClient, and WebClient when streaming; 2.0: the openai-java SDK).
 * <pre>BudgetApp --base-url URL [--calls N] [--stream] [--model NAME] [--max-tokens M]</pre>
 * Prints {@code CALL <i> ok} or {@code CALL <i> error=<class>: <message>} per call, then {@code DONE ok=<n>}.
 */
public final class BudgetApp {

    static final String API_KEY = "sk-test-SECRET-123";

    private BudgetApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String model = "sim-model";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ChatModel chat = OpenAiModels.chatModel(baseUrl, API_KEY, model, maxTokens);
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            Prompt prompt = new Prompt("Question number " + i + ": what is the capital of France?");
            try {
                if (stream) {
                    List<ChatResponse> chunks = chat.stream(prompt).collectList().block();
                    if (chunks == null || chunks.isEmpty()) {
                        throw new IllegalStateException("empty stream");
                    }
                } else {
                    chat.call(prompt);
                }
                ok++;
                System.out.println("CALL " + i + " ok");
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }
}
