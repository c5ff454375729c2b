package dev.tollgate.it.apps.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;

/**
 * An app that calls chat completions with the official openai-java SDK (its OkHttp transport, default retry
 * settings), unaware of Tollgate.
 * <pre>OpenAiJavaApp --base-url URL [--calls N] [--stream] [--max-tokens M] [--model NAME] [--pause-ms P]</pre>
 * {@code URL} includes the API version, as the SDK's own base URL does ({@code http://127.0.0.1:PORT/v1}). For
 * every call prints {@code CALL <i> status=<code> chunks=<n> input_tokens=<n> output_tokens=<n> text=<answer>}
 * (chunks only with {@code --stream}; tokens {@code -} when the response had no usage) or, when the SDK threw,
 * {@code CALL <i> error=<exception class>: <message>}; then {@code DONE ok=<calls that returned>}.
 */
public final class OpenAiJavaApp {
    static final String API_KEY = "sk-test-SECRET-123";

    private String baseUrl;
    private int calls = 1;
    private boolean stream;
    private long maxTokens = 1000;
    private String model = "gpt-4o-mini";
    private int ok;
    private long pauseMillis;

    public static void main(String[] args) {
        OpenAiJavaApp app = new OpenAiJavaApp();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> app.baseUrl = args[++i];
                case "--calls" -> app.calls = Integer.parseInt(args[++i]);
                case "--stream" -> app.stream = true;
                case "--max-tokens" -> app.maxTokens = Long.parseLong(args[++i]);
                case "--model" -> app.model = args[++i];
                case "--pause-ms" -> app.pauseMillis = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (app.baseUrl == null) {
            System.err.println("--base-url is required");
            System.exit(2);
        }
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(app.baseUrl).apiKey(API_KEY).build();
        for (int i = 1; i <= app.calls; i++) {
            try {
                System.out.println("CALL " + i + " " + app.call(client, i));
                app.ok++;
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
            if (app.pauseMillis > 0) {
                try {
                    Thread.sleep(app.pauseMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        client.close();
        System.out.println("DONE ok=" + app.ok);
        System.exit(0);
    }

    private String call(OpenAIClient client, int i) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(model)
                .maxCompletionTokens(maxTokens)
                .addUserMessage("Question number " + i + ": what is the capital of France?");
        if (!stream) {
            HttpResponseFor<ChatCompletion> response = client.chat().completions().withRawResponse()
                    .create(params.build());
            ChatCompletion completion = response.parse();
            StringBuilder text = new StringBuilder();
            completion.choices().forEach(c -> c.message().content().ifPresent(text::append));
            return "status=" + response.statusCode() + usage(completion.usage().orElse(null)) + " text=" + oneLine(text);
        }
        params.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> response = client.chat().completions().withRawResponse()
                .createStreaming(params.build());
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        CompletionUsage usage = null;
        try (StreamResponse<ChatCompletionChunk> events = response.parse()) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) events.stream()::iterator) {
                chunks++;
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
                if (chunk.usage().isPresent()) {
                    usage = chunk.usage().get();
                }
            }
        }
        return "status=" + response.statusCode() + " chunks=" + chunks + usage(usage) + " text=" + oneLine(text);
    }

    private static String usage(CompletionUsage usage) {
        return usage == null ? " input_tokens=- output_tokens=-"
                : " input_tokens=" + usage.promptTokens() + " output_tokens=" + usage.completionTokens();
    }

    private static String oneLine(CharSequence text) {
        return text.toString().replace('\n', ' ');
    }
}
