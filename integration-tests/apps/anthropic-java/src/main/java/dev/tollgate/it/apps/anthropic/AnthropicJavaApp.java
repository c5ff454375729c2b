package dev.tollgate.it.apps.anthropic;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;

/**
 * An app that creates messages with the official anthropic-java SDK (its OkHttp transport, default retry
 * settings), unaware of Tollgate.
 * <pre>AnthropicJavaApp --base-url URL [--calls N] [--stream] [--max-tokens M] [--model NAME]</pre>
 * {@code URL} is the host without the API version, as the SDK's own base URL is ({@code http://127.0.0.1:PORT});
 * the SDK posts to {@code URL/v1/messages}. For every call prints {@code CALL <i> status=<code> events=<n>
 * input_tokens=<n> output_tokens=<n> text=<answer>} (events only with {@code --stream}) or, when the SDK threw,
 * {@code CALL <i> error=<exception class>: <message>}; then {@code DONE ok=<calls that returned>}.
 */
public final class AnthropicJavaApp {
    static final String API_KEY = "sk-ant-test-SECRET-123";

    private String baseUrl;
    private int calls = 1;
    private boolean stream;
    private long maxTokens = 1000;
    private String model = "claude-sonnet-4-5";
    private int ok;

    public static void main(String[] args) {
        AnthropicJavaApp app = new AnthropicJavaApp();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> app.baseUrl = args[++i];
                case "--calls" -> app.calls = Integer.parseInt(args[++i]);
                case "--stream" -> app.stream = true;
                case "--max-tokens" -> app.maxTokens = Long.parseLong(args[++i]);
                case "--model" -> app.model = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (app.baseUrl == null) {
            System.err.println("--base-url is required");
            System.exit(2);
        }
        AnthropicClient client = AnthropicOkHttpClient.builder().baseUrl(app.baseUrl).apiKey(API_KEY).build();
        for (int i = 1; i <= app.calls; i++) {
            try {
                System.out.println("CALL " + i + " " + app.call(client, i));
                app.ok++;
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        client.close();
        System.out.println("DONE ok=" + app.ok);
        System.exit(0);
    }

    private String call(AnthropicClient client, int i) {
        MessageCreateParams params = MessageCreateParams.builder()
                .model(model)
                .maxTokens(maxTokens)
                .addUserMessage("Question number " + i + ": what is the capital of France?")
                .build();
        if (!stream) {
            HttpResponseFor<Message> response = client.messages().withRawResponse().create(params);
            Message message = response.parse();
            StringBuilder text = new StringBuilder();
            message.content().forEach(block -> block.text().ifPresent(t -> text.append(t.text())));
            return "status=" + response.statusCode() + " input_tokens=" + message.usage().inputTokens()
                    + " output_tokens=" + message.usage().outputTokens() + " text=" + oneLine(text);
        }
        HttpResponseFor<StreamResponse<RawMessageStreamEvent>> response = client.messages().withRawResponse()
                .createStreaming(params);
        StringBuilder text = new StringBuilder();
        int events = 0;
        String input = "-";
        String output = "-";
        try (StreamResponse<RawMessageStreamEvent> stream = response.parse()) {
            for (RawMessageStreamEvent event : (Iterable<RawMessageStreamEvent>) stream.stream()::iterator) {
                events++;
                if (event.messageStart().isPresent()) {
                    input = Long.toString(event.messageStart().get().message().usage().inputTokens());
                }
                if (event.contentBlockDelta().isPresent()) {
                    event.contentBlockDelta().get().delta().text().ifPresent(t -> text.append(t.text()));
                }
                if (event.messageDelta().isPresent()) {
                    output = Long.toString(event.messageDelta().get().usage().outputTokens());
                }
            }
        }
        return "status=" + response.statusCode() + " events=" + events + " input_tokens=" + input
                + " output_tokens=" + output + " text=" + oneLine(text);
    }

    private static String oneLine(CharSequence text) {
        return text.toString().replace('\n', ' ');
    }
}
