package dev.tollgate.it.apps.springai;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;

/** Spring AI 1.x: {@code OpenAiApi} (RestClient) under {@code OpenAiChatModel}, which runs the tool loop. */
final class OpenAiModels {
    private OpenAiModels() {
    }

    /** {@code baseUrl} ends in {@code /v1}, as OpenAI SDKs expect; OpenAiApi's default path would repeat it. */
    static ChatModel chatModel(String baseUrl, String apiKey, String model) {
        return chatModel(baseUrl, apiKey, model, null);
    }

    static ChatModel chatModel(String baseUrl, String apiKey, String model, Integer maxTokens) {
        OpenAiApi api = OpenAiApi.builder()
                .baseUrl(baseUrl)
                .completionsPath("/chat/completions")
                .apiKey(apiKey)
                .build();
        return OpenAiChatModel.builder()
                .openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(model).maxTokens(maxTokens).build())
                .build();
    }
}
