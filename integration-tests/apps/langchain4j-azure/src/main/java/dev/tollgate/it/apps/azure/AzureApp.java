package dev.tollgate.it.apps.azure;

import com.azure.ai.openai.OpenAIClientBuilder;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.okhttp.OkHttpAsyncHttpClientBuilder;
import com.azure.core.http.policy.AddHeadersPolicy;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.azure.AzureOpenAiChatModel;
import dev.langchain4j.model.azure.AzureOpenAiStreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j app on Azure OpenAI (azure-ai-openai over azure-core, Reactor Netty underneath), unaware
 * of Tollgate, with azure-core's default retry policy.
 * <pre>AzureApp --endpoint URL --deployment NAME [--calls N] [--stream] [--max-tokens M]
 *          [--http netty|okhttp|jdk] [--agent] (an AiServices assistant with a lookup tool: one question, one run;
          with --stream a TokenStream assistant)</pre>
 * Prints {@code CALL <i> ok tokens=<output tokens> text=<answer>} or {@code CALL <i> error=<class>: <message>} per
 * call, then {@code DONE ok=<n>}; with {@code --agent}, {@code ANSWER <text>} or {@code RUN error=<class>: <message>}.
 */
public final class AzureApp {

    static final String API_KEY = "azure-test-SECRET-456";

    private AzureApp() {
    }

    /** The assistant of {@code --agent}: one method call is one run. */
    public interface Assistant {
        String chat(String message);
    }

    /** The streaming assistant of {@code --agent --stream}: one method call is one run, its tool rounds too. */
    public interface StreamingAssistant {
        TokenStream chat(String message);
    }

    /** The app's tool; prints a marker so a test can count which bodies really ran. */
    public static final class Tools {
        @Tool(name = "lookup", value = "Looks up the value stored under a key")
        public String lookup(String key) {
            System.out.println("TOOL_RAN lookup " + key);
            return "value-of-" + key;
        }
    }

    public static void main(String[] args) throws Exception {
        String endpoint = null;
        String deployment = "sim-model";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        boolean agent = false;
        String http = "netty";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--deployment" -> deployment = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                case "--agent" -> agent = true;
                case "--http" -> http = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        AzureOpenAiChatModel model = AzureOpenAiChatModel.builder().openAIClient(clientBuilder(endpoint, http).buildClient())
                .deploymentName(deployment).maxTokens(maxTokens).build();
        if (agent && stream) {
            AzureOpenAiStreamingChatModel streaming = AzureOpenAiStreamingChatModel.builder()
                    .openAIAsyncClient(clientBuilder(endpoint, http).buildAsyncClient()).deploymentName(deployment)
                    .maxTokens(maxTokens).build();
            StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class).streamingChatModel(streaming)
                    .tools(new Tools()).build();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            assistant.chat("Look up the keys k1 to k9, one at a time.")
                    .onPartialResponse(partial -> { })
                    .onCompleteResponse(done::complete)
                    .onError(done::completeExceptionally)
                    .start();
            try {
                System.out.println("ANSWER " + done.get(60, TimeUnit.SECONDS).aiMessage().text());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                System.out.println("RUN error=" + cause.getClass().getName() + ": " + cause.getMessage());
            }
            System.out.println("DONE");
            System.exit(0);
        }
        if (agent) {
            Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new Tools()).build();
            try {
                System.out.println("ANSWER " + assistant.chat("Look up the keys k1 to k9, one at a time."));
            } catch (Exception e) {
                System.out.println("RUN error=" + e.getClass().getName() + ": " + e.getMessage());
            }
            System.out.println("DONE");
            System.exit(0);
        }
        AzureOpenAiStreamingChatModel streaming = stream ? AzureOpenAiStreamingChatModel.builder()
                .openAIAsyncClient(clientBuilder(endpoint, http).buildAsyncClient()).deploymentName(deployment)
                .maxTokens(maxTokens).build() : null;
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            String question = "Question number " + i + ": what is the capital of France?";
            try {
                ChatResponse response = stream ? streamed(streaming, question)
                        : model.chat(ChatRequest.builder().messages(UserMessage.from(question)).build());
                ok++;
                System.out.println("CALL " + i + " ok tokens="
                        + (response.tokenUsage() == null ? "?" : response.tokenUsage().outputTokenCount())
                        + " text=" + response.aiMessage().text());
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }

    /**
     * The Azure OpenAI client as LangChain4j's {@code endpoint(..).apiKey(..)} builds it, except for the key: azure-core's
     * key credential refuses plain HTTP (the simulator is http://127.0.0.1), so a policy of the app sends the same
     * {@code api-key} header. Default retry policy; the azure-core HttpClient {@code --http} names: Reactor Netty
     * (azure-core's default), OkHttp or the JDK client.
     */
    private static OpenAIClientBuilder clientBuilder(String endpoint, String http) {
        HttpClient client = switch (http) {
            case "netty" -> new NettyAsyncHttpClientBuilder().build();
            case "okhttp" -> new OkHttpAsyncHttpClientBuilder().build();
            case "jdk" -> new JdkHttpClientBuilder().build();
            default -> throw new IllegalArgumentException("--http " + http);
        };
        return new OpenAIClientBuilder().endpoint(endpoint).httpClient(client)
                .addPolicy(new AddHeadersPolicy(new HttpHeaders().set(HttpHeaderName.fromString("api-key"), API_KEY)));
    }

    private static ChatResponse streamed(AzureOpenAiStreamingChatModel chat, String question) throws Exception {
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
