package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.TokenStream;
import dev.langchain4j.service.UserMessage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j app, unaware of Tollgate: an AI service with a chat memory per user ({@code @MemoryId}),
 * asked N questions for each of several users, one AI-service call per question.
 * <pre>SessionApp --base-url URL [--users alice,bob] [--calls N] [--max-tokens M] [--stream]</pre>
 * Prints {@code CALL <user> <i> ok} or {@code CALL <user> <i> error=<class>: <message>} per call, then
 * {@code DONE ok=<n>}.
 */
public final class SessionApp {

    /** The AI service: the memory id names the conversation. */
    public interface Chat {
        String chat(@MemoryId String user, @UserMessage String question);
    }

    /** The streaming AI service. */
    public interface StreamingChat {
        TokenStream chat(@MemoryId String user, @UserMessage String question);
    }

    static final String API_KEY = "sk-test-SECRET-123";

    private SessionApp() {
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
        Chat chat = AiServices.builder(Chat.class)
                .chatModel(OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName("sim-model")
                        .maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build())
                .chatMemoryProvider(user -> MessageWindowChatMemory.withMaxMessages(2))
                .build();
        StreamingChat streaming = AiServices.builder(StreamingChat.class)
                .streamingChatModel(OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY)
                        .modelName("sim-model").maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build())
                .chatMemoryProvider(user -> MessageWindowChatMemory.withMaxMessages(2))
                .build();
        int ok = 0;
        for (String user : users) {
            for (int i = 1; i <= calls; i++) {
                try {
                    String question = "Question number " + i + ": what is the capital of France?";
                    if (stream) {
                        stream(streaming.chat(user, question));
                    } else {
                        chat.chat(user, question);
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
        System.exit(0);
    }

    private static ChatResponse stream(TokenStream tokens) throws Exception {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        tokens.onPartialResponse(partial -> { })
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        try {
            return done.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
