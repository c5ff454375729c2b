package dev.tollgate.it.apps.quarkus;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.List;

/**
 * An ordinary Quarkus LangChain4j app, unaware of Tollgate, on quarkus-langchain4j 1.0.0 with three providers, each
 * called through quarkus-langchain4j's REST clients: OpenAI (the default model), Anthropic (the named model
 * {@code claude}) and Ollama (the named model {@code llama}). {@code --base-url} is the OpenAI and Anthropic base URL
 * (ending in {@code /v1}), {@code --ollama-base-url} the Ollama one.
 * <pre>java -jar target/quarkus-app/quarkus-run.jar --base-url URL --victim PATH</pre>
 * One call of an {@code @RegisterAiService} AI service with a destructive tool and a harmless one: prints
 * {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 * <pre>java -jar target/quarkus-app/quarkus-run.jar --base-url URL --users alice,bob --calls N [--stream]</pre>
 * <pre>  [--provider openai|anthropic|ollama]</pre>
 * N questions for each user, one call of the provider's conversation AI service ({@link OpenAiConversation},
 * {@link AnthropicConversation}, {@link OllamaConversation}; OpenAI unless named) each, the user its {@code @MemoryId}:
 * prints {@code CALL <user> <i> ok} or {@code CALL <user> <i> error=<class>: <message>} per call, then
 * {@code DONE ok=<n>}, and exits 0.
 * <pre>java -jar target/quarkus-app/quarkus-run.jar --base-url URL --startup-only</pre>
 * Quarkus starts (the AI service bean, its model client and tools are built), the app prints {@code STARTED} and
 * exits 0 without calling the model: what the start-up benchmark times.
 */
@QuarkusMain
public class QuarkusToolLoopApp implements QuarkusApplication {

    @Inject
    Assistant assistant;

    @Inject
    OpenAiConversation openAi;

    @Inject
    AnthropicConversation anthropic;

    @Inject
    OllamaConversation ollama;

    /** One provider's AI service, as the app calls it. */
    private interface Conversation {
        String chat(String user, String question);

        Multi<String> stream(String user, String question);
    }

    public static void main(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--base-url")) {
                // read by quarkus-langchain4j when it builds the model client at start-up
                System.setProperty("quarkus.langchain4j.openai.base-url", args[i + 1]);
                System.setProperty("quarkus.langchain4j.anthropic.claude.base-url", args[i + 1]);
            }
            if (args[i].equals("--ollama-base-url")) {
                System.setProperty("quarkus.langchain4j.ollama.llama.base-url", args[i + 1]);
            }
            if (args[i].equals("--max-tokens")) {
                System.setProperty("quarkus.langchain4j.openai.chat-model.max-tokens", args[i + 1]);
                System.setProperty("quarkus.langchain4j.anthropic.claude.chat-model.max-tokens", args[i + 1]);
                System.setProperty("quarkus.langchain4j.ollama.llama.chat-model.num-predict", args[i + 1]);
            }
        }
        Quarkus.run(QuarkusToolLoopApp.class, args);
    }

    @Override
    @ActivateRequestContext // AI services are request-scoped beans
    public int run(String... args) {
        String victim = null;
        List<String> users = null;
        int calls = 1;
        boolean stream = false;
        String provider = "openai";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--startup-only" -> {
                    System.out.println("STARTED");
                    System.out.flush();
                    return 0;
                }
                case "--victim" -> victim = args[++i];
                case "--users" -> users = List.of(args[++i].split(","));
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                case "--provider" -> provider = args[++i];
                default -> { }
            }
        }
        if (users != null) {
            Conversation conversation = switch (provider) {
                case "openai" -> new Conversation() {
                    public String chat(String user, String question) { return openAi.chat(user, question); }
                    public Multi<String> stream(String user, String question) { return openAi.stream(user, question); }
                };
                case "anthropic" -> new Conversation() {
                    public String chat(String user, String question) { return anthropic.chat(user, question); }
                    public Multi<String> stream(String user, String question) { return anthropic.stream(user, question); }
                };
                case "ollama" -> new Conversation() {
                    public String chat(String user, String question) { return ollama.chat(user, question); }
                    public Multi<String> stream(String user, String question) { return ollama.stream(user, question); }
                };
                default -> throw new IllegalArgumentException("no provider " + provider);
            };
            return conversations(conversation, users, calls, stream);
        }
        if (victim == null) {
            System.err.println("usage: --base-url URL --victim PATH");
            return 2;
        }
        try {
            String answer = assistant.chat("Delete " + victim + ", then look up k1 to k5 one at a time.");
            System.out.println("RESULT: " + answer);
            System.out.flush();
            return 0;
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            return 3;
        }
    }

    private int conversations(Conversation conversation, List<String> users, int calls, boolean stream) {
        int ok = 0;
        for (String user : users) {
            for (int i = 1; i <= calls; i++) {
                try {
                    String question = "Question number " + i + ": what is the capital of France?";
                    if (stream) {
                        conversation.stream(user, question).collect().asList().await().atMost(Duration.ofSeconds(60));
                    } else {
                        conversation.chat(user, question);
                    }
                    ok++;
                    System.out.println("CALL " + user + " " + i + " ok");
                } catch (Exception e) {
                    System.out.println("CALL " + user + " " + i + " error=" + e.getClass().getName() + ": "
                            + e.getMessage());
                }
            }
        }
        System.out.println("DONE ok=" + ok);
        System.out.flush();
        return 0;
    }
}
