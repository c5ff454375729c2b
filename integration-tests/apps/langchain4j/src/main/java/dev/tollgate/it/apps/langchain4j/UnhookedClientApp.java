package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;

import java.time.Duration;

/**
 * The LangChain4j tool loop of {@link ToolLoopApp}, with the model's HTTP traffic on a client no Tollgate
 * instrumentation hooks ({@link UrlConnectionHttpClient}): the LLM calls are invisible to the agent, the tool calls
 * are not.
 * <pre>UnhookedClientApp --base-url URL --victim PATH</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 */
public final class UnhookedClientApp {

    private UnhookedClientApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(OpenAiChatModel.builder()
                        .httpClientBuilder(new UrlConnectionHttpClient.Builder())
                        .baseUrl(baseUrl)
                        .apiKey(ToolLoopApp.API_KEY)
                        .modelName(ToolLoopApp.MODEL)
                        .timeout(Duration.ofSeconds(30))
                        .build())
                .tools(new HostTools())
                .build();
        try {
            System.out.println("RESULT: " + assistant.chat("Delete " + victim + ", then look up k1."));
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }
}
