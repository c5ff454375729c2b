package dev.tollgate.it.apps.quarkus;

import dev.langchain4j.service.UserMessage;
import io.quarkiverse.langchain4j.RegisterAiService;

/** The app's AI service, implemented by quarkus-langchain4j at build time, with the host's tools. */
@RegisterAiService(tools = HostTools.class)
public interface Assistant {
    String chat(@UserMessage String message);
}
