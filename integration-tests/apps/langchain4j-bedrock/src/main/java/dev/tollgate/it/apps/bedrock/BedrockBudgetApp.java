package dev.tollgate.it.apps.bedrock;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.bedrock.BedrockChatModel;
import dev.langchain4j.model.bedrock.BedrockStreamingChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j app on AWS Bedrock, unaware of Tollgate: it asks {@code BedrockChatModel} (Converse) or
 * {@code BedrockStreamingChatModel} (ConverseStream) a question N times, with the SDK's and LangChain4j's default
 * retry settings, through AWS SDK clients pointed at {@code --endpoint} with dummy static credentials.
 * With {@code --invoke} it calls InvokeModel (Anthropic Messages body) through the SDK client itself.
 * <pre>BedrockBudgetApp --endpoint URL [--model ID] [--calls N] [--max-tokens M] [--stream | --invoke]</pre>
 * Prints {@code CALL <i> ok tokens=<output tokens>} or {@code CALL <i> error=<class>: <message>} per call, then
 * {@code DONE ok=<n>}.
 */
public final class BedrockBudgetApp {

    static final String ACCESS_KEY = "AKIASIMULATOR0000000";
    static final String SECRET_KEY = "sim-SECRET-aws-key-123";

    private BedrockBudgetApp() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = null;
        String model = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        boolean invoke = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--model" -> model = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                case "--invoke" -> invoke = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ChatRequestParameters parameters = ChatRequestParameters.builder().maxOutputTokens(maxTokens).build();
        if (invoke) {
            invokeModel(endpoint, model, calls, maxTokens);
            return;
        }
        ChatModel blocking = stream ? null : BedrockChatModel.builder().modelId(model)
                .client(syncClient(endpoint)).defaultRequestParameters(parameters).build();
        StreamingChatModel streaming = stream ? BedrockStreamingChatModel.builder().modelId(model)
                .client(asyncClient(endpoint)).defaultRequestParameters(parameters).build() : null;
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            String question = "Question number " + i + ": what is the capital of France?";
            try {
                ChatResponse response = stream ? stream(streaming, question)
                        : blocking.chat(ChatRequest.builder().messages(UserMessage.from(question)).build());
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

    /**
     * InvokeModel with an Anthropic model, straight through the SDK (LangChain4j's Bedrock models use Converse): the
     * body is Anthropic's Messages format with {@code anthropic_version}, and so is the reply.
     */
    private static void invokeModel(String endpoint, String model, int calls, int maxTokens) {
        BedrockRuntimeClient client = syncClient(endpoint);
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            String body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":" + maxTokens
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Question number " + i
                    + ": what is the capital of France?\"}]}";
            try {
                InvokeModelResponse response = client.invokeModel(InvokeModelRequest.builder().modelId(model)
                        .contentType("application/json").accept("application/json")
                        .body(SdkBytes.fromUtf8String(body)).build());
                String reply = response.body().asUtf8String();
                if (!reply.contains("\"usage\"")) {
                    throw new IllegalStateException("no usage in " + reply);
                }
                ok++;
                System.out.println("CALL " + i + " ok");
            } catch (Exception e) {
                System.out.println("CALL " + i + " error=" + e.getClass().getName() + ": " + e.getMessage());
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }

    static BedrockRuntimeClient syncClient(String endpoint) {
        return BedrockRuntimeClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /**
     * The Netty client speaks HTTP/1.1 here: Bedrock Runtime's async client defaults to HTTP/2, which the simulator
     * (plain HTTP on 127.0.0.1, no TLS to negotiate it) does not speak.
     */
    static BedrockRuntimeAsyncClient asyncClient(String endpoint) {
        return BedrockRuntimeAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    private static ChatResponse stream(StreamingChatModel chat, String question) throws Exception {
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
