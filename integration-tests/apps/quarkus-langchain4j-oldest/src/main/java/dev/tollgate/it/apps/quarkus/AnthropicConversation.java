package dev.tollgate.it.apps.quarkus;

import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import io.quarkiverse.langchain4j.RegisterAiService;
import io.smallrye.mutiny.Multi;

/** An AI service without tools on the named model {@code claude}: Anthropic; its chat memory is per user ({@code @MemoryId}). */
@RegisterAiService(modelName = "claude")
public interface AnthropicConversation {
    String chat(@MemoryId String user, @UserMessage String question);

    Multi<String> stream(@MemoryId String user, @UserMessage String question);
}
