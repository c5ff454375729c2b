package dev.tollgate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The token counts of one simulated reply, in provider-neutral terms, and their rendering in each wire format.
 *
 * @param promptTokens     every input token, cached ones included (OpenAI {@code prompt_tokens} semantics)
 * @param completionTokens every output token, reasoning included (OpenAI {@code completion_tokens} semantics)
 * @param cachedTokens     the part of {@code promptTokens} read from the prompt cache
 * @param reasoningTokens  the part of {@code completionTokens} spent on reasoning / thinking
 */
record Usage(int promptTokens, int completionTokens, int cachedTokens, int reasoningTokens) {

    Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (cachedTokens > promptTokens) {
            throw new IllegalArgumentException("cachedTokens " + cachedTokens + " > promptTokens " + promptTokens);
        }
        if (reasoningTokens > completionTokens) {
            throw new IllegalArgumentException("reasoningTokens " + reasoningTokens + " > completionTokens " + completionTokens);
        }
    }

    /** Deterministic, plausible token counts: about four characters a token. */
    static Usage estimate(String requestBody, Turn turn, long answerBytes) {
        int prompt = Math.max(1, requestBody.length() / 4);
        int completion;
        if (turn instanceof Turn.ToolCalls calls) {
            completion = calls.calls().stream()
                    .mapToInt(c -> 5 + (c.name().length() + c.argumentsJson().length()) / 4).sum();
        } else {
            long length = answerBytes >= 0 ? answerBytes : ((Turn.Answer) turn).text().length();
            completion = (int) Math.min(Integer.MAX_VALUE, 1 + length / 4);
        }
        return new Usage(prompt, completion, 0, 0);
    }

    int totalTokens() {
        return promptTokens + completionTokens;
    }

    /** OpenAI Chat Completions {@code usage}: {@code prompt_tokens} includes cached, {@code completion_tokens} reasoning. */
    ObjectNode openAiChat() {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", totalTokens());
        ObjectNode prompt = usage.putObject("prompt_tokens_details");
        prompt.put("cached_tokens", cachedTokens);
        prompt.put("audio_tokens", 0);
        ObjectNode completion = usage.putObject("completion_tokens_details");
        completion.put("reasoning_tokens", reasoningTokens);
        completion.put("audio_tokens", 0);
        completion.put("accepted_prediction_tokens", 0);
        completion.put("rejected_prediction_tokens", 0);
        return usage;
    }

    /** OpenAI Responses {@code usage}: {@code input_tokens} includes cached, {@code output_tokens} reasoning. */
    ObjectNode openAiResponses() {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("input_tokens", promptTokens);
        ObjectNode input = usage.putObject("input_tokens_details");
        input.put("cached_tokens", cachedTokens);
        usage.put("output_tokens", completionTokens);
        usage.putObject("output_tokens_details").put("reasoning_tokens", reasoningTokens);
        usage.put("total_tokens", totalTokens());
        return usage;
    }

    /**
     * Anthropic {@code usage} with {@code output_tokens} as given: {@code input_tokens} is only the uncached remainder,
     * {@code cache_read_input_tokens} the cached part; {@code output_tokens} includes thinking.
     */
    ObjectNode anthropic(int outputTokens) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("input_tokens", promptTokens - cachedTokens);
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", cachedTokens);
        usage.put("output_tokens", outputTokens);
        usage.put("service_tier", "standard");
        return usage;
    }

    /** The visible output tokens (Gemini {@code candidatesTokenCount}): completion minus reasoning. */
    int visibleTokens() {
        return completionTokens - reasoningTokens;
    }

    /**
     * Gemini {@code usageMetadata} with {@code candidates} visible output tokens so far: {@code promptTokenCount}
     * includes {@code cachedContentTokenCount}; {@code thoughtsTokenCount} is separate from {@code candidatesTokenCount}.
     */
    ObjectNode gemini(int candidates) {
        ObjectNode usage = Json.MAPPER.createObjectNode();
        usage.put("promptTokenCount", promptTokens);
        usage.put("candidatesTokenCount", candidates);
        if (cachedTokens > 0) {
            usage.put("cachedContentTokenCount", cachedTokens);
        }
        if (reasoningTokens > 0) {
            usage.put("thoughtsTokenCount", reasoningTokens);
        }
        usage.put("totalTokenCount", promptTokens + candidates + reasoningTokens);
        ObjectNode details = usage.putArray("promptTokensDetails").addObject();
        details.put("modality", "TEXT");
        details.put("tokenCount", promptTokens);
        if (cachedTokens > 0) {
            ObjectNode cache = usage.putArray("cacheTokensDetails").addObject();
            cache.put("modality", "TEXT");
            cache.put("tokenCount", cachedTokens);
        }
        return usage;
    }
}
