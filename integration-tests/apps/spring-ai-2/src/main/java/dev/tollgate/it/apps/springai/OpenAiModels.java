package dev.tollgate.it.apps.springai;

import java.time.Duration;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

/** Spring AI 2.0: {@code OpenAiChatModel} on the openai-java SDK; the tool loop is ChatClient's ToolCallingAdvisor. */
final class OpenAiModels {
    private OpenAiModels() {
    }

    static ChatModel chatModel(String baseUrl, String apiKey, String model) {
        return chatModel(baseUrl, apiKey, model, null);
    }

    static ChatModel chatModel(String baseUrl, String apiKey, String model, Integer maxTokens) {
        return OpenAiChatModel.builder()
                .options(OpenAiChatOptions.builder()
                        .baseUrl(baseUrl)
                        .apiKey(apiKey)
                        .model(model)
                        .maxTokens(maxTokens)
                        .timeout(Duration.ofSeconds(30))
                        .build())
                .build();
    }
}
