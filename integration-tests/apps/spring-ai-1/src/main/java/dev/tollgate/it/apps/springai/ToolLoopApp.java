package dev.tollgate.it.apps.springai;

import java.nio.file.Path;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.support.ToolCallbacks;

/**
 * An ordinary Spring AI app, unaware of Tollgate and without Spring Boot: one {@code ChatClient} call against an
 * OpenAI-compatible endpoint, with a destructive tool and a harmless one. With {@code --stream} the call streams
 * ({@code stream().content()}, the tool rounds on Reactor's worker threads); with {@code --stream-model} the app
 * streams from the model directly ({@code ChatModel.stream(Prompt)}, 1.x only: 2.0 models run no tools).
 * <pre>ToolLoopApp --base-url URL --victim PATH [--stream | --stream-model]
 * ToolLoopApp --base-url URL --startup-only</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3. With
 * {@code --startup-only} it builds the {@code ChatClient} and the prompt with its tools, prints {@code STARTED}
 * and exits 0 without calling the model: the start-up benchmark measures start-up, not model latency.
 */
public final class ToolLoopApp {

    static final String API_KEY = "sk-test-SECRET-123";
    static final String MODEL = "gpt-4o-mini";

    private ToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        String mode = "call";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                case "--stream" -> mode = "stream";
                case "--stream-model" -> mode = "stream-model";
                case "--startup-only" -> mode = "startup-only";
                default -> usage("unknown argument " + args[i]);
            }
        }
        if ("startup-only".equals(mode) && baseUrl != null) {
            ChatClient.create(OpenAiModels.chatModel(baseUrl, API_KEY, MODEL)).prompt()
                    .user("start-up only")
                    .tools(new HostTools());
            System.out.println("STARTED");
            System.exit(0);
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        try {
            String result = switch (mode) {
                case "stream" -> stream(baseUrl, Path.of(victim));
                case "stream-model" -> streamModel(baseUrl, Path.of(victim));
                default -> run(baseUrl, Path.of(victim));
            };
            System.out.println("RESULT: " + result);
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

    /** The same run, streamed through the ChatClient: the answer's chunks joined. */
    public static String stream(String baseUrl, Path victim) {
        ChatClient client = ChatClient.create(OpenAiModels.chatModel(baseUrl, API_KEY, MODEL));
        return String.join("", client.prompt()
                .user("Delete " + victim + ", then look up k1 to k5 one at a time.")
                .tools(new HostTools())
                .stream()
                .content()
                .collectList()
                .block());
    }

    /** The same run, streamed from the model itself, which runs the tool loop (Spring AI 1.x). */
    public static String streamModel(String baseUrl, Path victim) {
        ChatModel model = OpenAiModels.chatModel(baseUrl, API_KEY, MODEL);
        Prompt prompt = new Prompt("Delete " + victim + ", then look up k1 to k5 one at a time.",
                ToolCallingChatOptions.builder().toolCallbacks(ToolCallbacks.from(new HostTools())).build());
        StringBuilder answer = new StringBuilder();
        for (ChatResponse chunk : model.stream(prompt).collectList().block()) {
            if (chunk.getResult() != null && chunk.getResult().getOutput().getText() != null) {
                answer.append(chunk.getResult().getOutput().getText());
            }
        }
        return answer.toString();
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ToolLoopApp --base-url URL (--victim PATH [--stream | --stream-model] | --startup-only)");
        System.exit(2);
    }
}
