package dev.tollgate.it.apps.bedrock;

import dev.langchain4j.model.bedrock.BedrockChatModel;
import dev.langchain4j.model.bedrock.BedrockStreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An ordinary LangChain4j AiServices app on AWS Bedrock, unaware of Tollgate: one question, a tool loop over
 * {@link HostTools} ({@code delete_file}, {@code lookup}) until the model answers. {@code --stream} uses
 * {@code BedrockStreamingChatModel} (ConverseStream on the SDK's Netty client: the next call of the loop is sent from
 * the SDK's threads).
 * <pre>BedrockToolApp --endpoint URL --victim PATH [--stream]</pre>
 * Prints {@code TOOL_RAN ...} per tool body run, then {@code RESULT: <answer>}.
 */
public final class BedrockToolApp {

    interface Assistant {
        String chat(String message);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    private BedrockToolApp() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = null;
        String victim = null;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> endpoint = args[++i];
                case "--victim" -> victim = args[++i];
                case "--stream" -> stream = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String model = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
        ChatRequestParameters parameters = ChatRequestParameters.builder().maxOutputTokens(500).build();
        String question = "Clean up " + victim + " and then look up the keys k1 to k5.";
        String answer;
        if (stream) {
            StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                    .streamingChatModel(BedrockStreamingChatModel.builder().modelId(model)
                            .client(BedrockBudgetApp.asyncClient(endpoint)).defaultRequestParameters(parameters).build())
                    .tools(new HostTools()).build();
            CompletableFuture<String> done = new CompletableFuture<>();
            assistant.chat(question)
                    .onPartialResponse(partial -> { })
                    .onCompleteResponse(response -> done.complete(response.aiMessage().text()))
                    .onError(done::completeExceptionally)
                    .start();
            answer = done.get(60, TimeUnit.SECONDS);
        } else {
            Assistant assistant = AiServices.builder(Assistant.class)
                    .chatModel(BedrockChatModel.builder().modelId(model)
                            .client(BedrockBudgetApp.syncClient(endpoint)).defaultRequestParameters(parameters).build())
                    .tools(new HostTools()).build();
            answer = assistant.chat(question);
        }
        System.out.println("RESULT: " + answer);
        System.exit(0);
    }
}
