package dev.tollgate.it.apps.genai;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;

/**
 * An app that calls Gemini's generateContent with the google-genai SDK directly (its OkHttp transport, default
 * retry settings), unaware of Tollgate.
 * <pre>GenAiApp --base-url URL [--calls N] [--stream] [--max-tokens M] [--model NAME]</pre>
 * {@code URL} is the root the SDK appends its API version to ({@code http://127.0.0.1:PORT}). For every call prints
 * {@code CALL <i> input_tokens=<n> output_tokens=<n> text=<answer>} or, when the SDK threw,
 * {@code CALL <i> error=<exception class>: <message>}; then {@code DONE ok=<calls that returned>}.
 */
public final class GenAiApp {
    static final String API_KEY = "test-key-SECRET-123";

    private GenAiApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        int calls = 1;
        boolean stream = false;
        int maxTokens = 1000;
        String model = "gemini-2.5-flash";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--model" -> model = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (baseUrl == null) {
            System.err.println("--base-url is required");
            System.exit(2);
        }
        Client client = Client.builder().apiKey(API_KEY)
                .httpOptions(HttpOptions.builder().baseUrl(baseUrl).build()).build();
        GenerateContentConfig config = GenerateContentConfig.builder().maxOutputTokens(maxTokens).build();
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            String question = "Question number " + i + ": what is the capital of France?";
            try {
                StringBuilder text = new StringBuilder();
                GenerateContentResponseUsageMetadata usage = null;
                if (stream) {
                    try (ResponseStream<GenerateContentResponse> chunks =
                                 client.models.generateContentStream(model, question, config)) {
                        for (GenerateContentResponse chunk : chunks) {
                            text.append(chunk.text() == null ? "" : chunk.text());
                            usage = chunk.usageMetadata().orElse(usage);
                        }
                    }
                } else {
                    GenerateContentResponse response = client.models.generateContent(model, question, config);
                    text.append(response.text());
                    usage = response.usageMetadata().orElse(null);
                }
                System.out.println("CALL " + i + " input_tokens="
                        + (usage == null ? "-" : usage.promptTokenCount().orElse(-1))
                        + " output_tokens=" + (usage == null ? "-" : usage.candidatesTokenCount().orElse(-1))
                        + " text=" + text.toString().replace('\n', ' '));
                ok++;
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }
}
