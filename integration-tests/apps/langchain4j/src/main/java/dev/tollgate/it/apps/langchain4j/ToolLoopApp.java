package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j app, unaware of Tollgate: one AiServices call against an OpenAI-compatible endpoint,
 * with a destructive tool and a harmless one.
 * <pre>ToolLoopApp --base-url URL --victim PATH [--stream] [--linger-ms MS]
 * ToolLoopApp --base-url URL --startup-only</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3. With
 * {@code --startup-only} it builds the AI service, prints {@code STARTED} and exits 0 without calling the model:
 * the start-up benchmark measures the JVM and framework start, not model latency. {@code --linger-ms} keeps the JVM
 * alive that long after {@code RESULT} (for tests that read it from outside).
 */
public final class ToolLoopApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";

    private ToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        boolean stream = false;
        boolean startupOnly = false;
        long lingerMillis = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                case "--stream" -> stream = true;
                case "--startup-only" -> startupOnly = true;
                case "--linger-ms" -> lingerMillis = Long.parseLong(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (startupOnly && baseUrl != null) {
            assistant(baseUrl);
            System.out.println("STARTED");
            System.exit(0);
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        try {
            System.out.println("RESULT: " + run(baseUrl, Path.of(victim), stream));
            System.out.flush();
            Thread.sleep(lingerMillis);
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    /** One run: asks the assistant to clean up {@code victim} and look some keys up; returns its answer. */
    public static String run(String baseUrl, Path victim, boolean stream) throws Exception {
        String message = "Delete " + victim + ", then look up k1 to k5 one at a time.";
        if (!stream) {
            return assistant(baseUrl).chat(message);
        }
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(OpenAiStreamingChatModel.builder()
                        .baseUrl(baseUrl)
                        .apiKey(API_KEY)
                        .modelName(MODEL)
                        .timeout(Duration.ofSeconds(30))
                        .build())
                .tools(new HostTools())
                .build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.chat(message)
                .onPartialResponse(partial -> { })
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        try {
            return done.get(60, TimeUnit.SECONDS).aiMessage().text();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw e;
        }
    }

    static Assistant assistant(String baseUrl) {
        return AiServices.builder(Assistant.class)
                .chatModel(OpenAiChatModel.builder()
                        .baseUrl(baseUrl)
                        .apiKey(API_KEY)
                        .modelName(MODEL)
                        .timeout(Duration.ofSeconds(30))
                        .build())
                .tools(new HostTools())
                .build();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ToolLoopApp --base-url URL (--victim PATH [--stream] | --startup-only)");
        System.exit(2);
    }
}
