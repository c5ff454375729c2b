package dev.tollgate.it.apps.springaiazure;

import com.azure.ai.openai.OpenAIClientBuilder;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.policy.AddHeadersPolicy;
import org.springframework.ai.azure.openai.AzureOpenAiChatModel;
import org.springframework.ai.azure.openai.AzureOpenAiChatOptions;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;

import java.time.Duration;
import java.util.List;

/**
 * An ordinary Spring AI app on Azure OpenAI ({@code AzureOpenAiChatModel}: azure-ai-openai over azure-core, Reactor
 * Netty underneath, azure-core's default retry policy), unaware of Tollgate, that asks N questions.
 * <pre>SpringAiAzureApp --endpoint URL --deployment NAME [--calls N] [--stream] [--max-tokens M]</pre>
 * Prints {@code CALL <i> ok tokens=<output tokens> text=<answer>} or {@code CALL <i> error=<class>: <message>} per
 * call, then {@code DONE ok=<n>}. Streams ask for the usage chunk ({@code streamUsage(true)}).
 */
public final class SpringAiAzureApp {

    static final String API_KEY = "azure-test-SECRET-456";

    private SpringAiAzureApp() {
    }

    public static void main(String[] args) {
        String endpoint = null;
        String deployment = "sim-model";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--deployment" -> deployment = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        // azure-core's key credential refuses plain HTTP (the simulator is http://127.0.0.1): a policy of the app
        // sends the same api-key header
        OpenAIClientBuilder client = new OpenAIClientBuilder().endpoint(endpoint)
                .addPolicy(new AddHeadersPolicy(new HttpHeaders().set(HttpHeaderName.fromString("api-key"), API_KEY)));
        AzureOpenAiChatModel model = AzureOpenAiChatModel.builder().openAIClientBuilder(client)
                .defaultOptions(AzureOpenAiChatOptions.builder().deploymentName(deployment).maxTokens(maxTokens)
                        .streamUsage(true).build())
                .build();
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            Prompt prompt = new Prompt("Question number " + i + ": what is the capital of France?");
            try {
                String text;
                Integer tokens;
                if (stream) {
                    List<ChatResponse> chunks = model.stream(prompt).collectList().block(Duration.ofSeconds(60));
                    StringBuilder all = new StringBuilder();
                    tokens = null;
                    for (ChatResponse chunk : chunks) {
                        if (chunk.getResult() != null && chunk.getResult().getOutput().getText() != null) {
                            all.append(chunk.getResult().getOutput().getText());
                        }
                        if (chunk.getMetadata().getUsage() != null
                                && chunk.getMetadata().getUsage().getCompletionTokens() != null
                                && chunk.getMetadata().getUsage().getCompletionTokens() > 0) {
                            tokens = chunk.getMetadata().getUsage().getCompletionTokens();
                        }
                    }
                    text = all.toString();
                } else {
                    ChatResponse response = model.call(prompt);
                    text = response.getResult().getOutput().getText();
                    tokens = response.getMetadata().getUsage().getCompletionTokens();
                }
                ok++;
                System.out.println("CALL " + i + " ok tokens=" + tokens + " text=" + text);
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }
}
