package dev.tollgate.it.apps.springboot;

import io.micrometer.observation.ObservationRegistry;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.OpenAiApi;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.retry.support.RetryTemplate;
import org.springframework.web.client.ResponseErrorHandler;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The OpenAI chat model, built the way Spring AI's own OpenAI auto-configuration builds it: from Boot's
 * {@code RestClient.Builder} and {@code WebClient.Builder} and Spring AI's auto-configured tool-calling manager,
 * retry template and error handler. Only the base URL (the simulator's, ending in {@code /v1}) is the app's.
 */
@Configuration(proxyBeanMethods = false)
class OpenAiConfiguration {

    @Bean
    OpenAiApi openAiApi(@Value("${app.openai.base-url}") String baseUrl, @Value("${app.openai.api-key}") String apiKey,
            ObjectProvider<RestClient.Builder> restClientBuilder, ObjectProvider<WebClient.Builder> webClientBuilder,
            ResponseErrorHandler responseErrorHandler) {
        return OpenAiApi.builder()
                .baseUrl(baseUrl)
                .completionsPath("/chat/completions")
                .apiKey(apiKey)
                .restClientBuilder(restClientBuilder.getIfAvailable(RestClient::builder))
                .webClientBuilder(webClientBuilder.getIfAvailable(WebClient::builder))
                .responseErrorHandler(responseErrorHandler)
                .build();
    }

    @Bean
    OpenAiChatModel openAiChatModel(OpenAiApi api, @Value("${app.openai.model}") String model,
            @Value("${app.openai.max-tokens}") int maxTokens, ToolCallingManager toolCallingManager,
            RetryTemplate retryTemplate, ObjectProvider<ObservationRegistry> observationRegistry) {
        return OpenAiChatModel.builder()
                .openAiApi(api)
                .defaultOptions(OpenAiChatOptions.builder().model(model).maxTokens(maxTokens).build())
                .toolCallingManager(toolCallingManager)
                .retryTemplate(retryTemplate)
                .observationRegistry(observationRegistry.getIfUnique(() -> ObservationRegistry.NOOP))
                .build();
    }
}
