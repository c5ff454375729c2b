package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j app, unaware of Tollgate, that asks a chat model a question N times, with the models'
 * default retry settings.
 * <pre>BudgetApp --base-url URL --provider openai|anthropic [--calls N] [--stream] [--model NAME] [--max-tokens M]</pre>
 * Prints {@code CALL <i> ok tokens=<output tokens>} or {@code CALL <i> error=<class>: <message>} per call, then
 * {@code DONE ok=<n>}.
 */
public final class BudgetApp {

    static final String API_KEY = "sk-test-SECRET-123";

    private BudgetApp() {
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = null;
        String provider = "openai";
        String model = "sim-model";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--provider" -> provider = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            String question = "Question number " + i + ": what is the capital of France?";
            try {
                ChatResponse response = stream
                        ? streaming(provider, baseUrl, model, maxTokens, question)
                        : blocking(provider, baseUrl, model, maxTokens).chat(
                                dev.langchain4j.model.chat.request.ChatRequest.builder()
                                        .messages(dev.langchain4j.data.message.UserMessage.from(question)).build());
                ok++;
                System.out.println("CALL " + i + " ok tokens="
                        + (response.tokenUsage() == null ? "?" : response.tokenUsage().outputTokenCount()));
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }

    private static ChatModel blocking(String provider, String baseUrl, String model, int maxTokens) {
        return switch (provider) {
            case "openai" -> OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName(model)
                    .maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build();
            case "anthropic" -> AnthropicChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName(model)
                    .maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build();
            default -> throw new IllegalArgumentException("--provider " + provider);
        };
    }

    private static ChatResponse streaming(String provider, String baseUrl, String model, int maxTokens,
            String question) throws Exception {
        StreamingChatModel chat = switch (provider) {
            case "openai" -> OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY).modelName(model)
                    .maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build();
            case "anthropic" -> AnthropicStreamingChatModel.builder().baseUrl(baseUrl).apiKey(API_KEY)
                    .modelName(model).maxTokens(maxTokens).timeout(Duration.ofSeconds(30)).build();
            default -> throw new IllegalArgumentException("--provider " + provider);
        };
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        chat.chat(question, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
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
