package dev.tollgate.it.apps.springaibedrock;

import org.springframework.ai.bedrock.converse.BedrockChatOptions;
import org.springframework.ai.bedrock.converse.BedrockProxyChatModel;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

import java.net.URI;
import java.util.List;

/**
 * An ordinary Spring AI app on AWS Bedrock, unaware of Tollgate: it asks {@code BedrockProxyChatModel} (Converse;
 * ConverseStream with {@code --stream}) a question N times, through AWS SDK clients pointed at {@code --endpoint}
 * with dummy static credentials (the SDK Spring AI brings: its Apache 4 sync client and Netty async client).
 * <pre>BedrockBudgetApp --endpoint URL [--model ID] [--calls N] [--max-tokens M] [--stream]</pre>
 * Prints {@code CALL <i> ok} or {@code CALL <i> error=<class>: <message>} per call, then {@code DONE ok=<n>}.
 */
public final class BedrockBudgetApp {

    static final String ACCESS_KEY = "AKIASIMULATOR0000000";
    static final String SECRET_KEY = "sim-SECRET-aws-key-123";

    private BedrockBudgetApp() {
    }

    public static void main(String[] args) {
        String endpoint = null;
        String model = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
        int calls = 1;
        int maxTokens = 100;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--model" -> model = args[++i];
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
        ChatModel chat = BedrockProxyChatModel.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials)
                .bedrockRuntimeClient(BedrockRuntimeClient.builder().region(Region.US_EAST_1)
                        .endpointOverride(URI.create(endpoint)).credentialsProvider(credentials).build())
                // HTTP/1.1: the async client defaults to HTTP/2, which the plain-HTTP simulator does not speak
                .bedrockRuntimeAsyncClient(BedrockRuntimeAsyncClient.builder().region(Region.US_EAST_1)
                        .endpointOverride(URI.create(endpoint)).credentialsProvider(credentials)
                        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)).build())
                .defaultOptions(BedrockChatOptions.builder().model(model).maxTokens(maxTokens).build())
                .build();
        int ok = 0;
        for (int i = 1; i <= calls; i++) {
            Prompt prompt = new Prompt("Question number " + i + ": what is the capital of France?");
            try {
                if (stream) {
                    List<ChatResponse> chunks = chat.stream(prompt).collectList().block();
                    if (chunks == null || chunks.isEmpty()) {
                        throw new IllegalStateException("empty stream");
                    }
                } else {
                    chat.call(prompt);
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
}
