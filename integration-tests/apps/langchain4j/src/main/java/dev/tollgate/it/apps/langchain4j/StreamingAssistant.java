package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.service.TokenStream;

/** The streaming AI service: the tool loop continues on the HTTP client's threads. */
public interface StreamingAssistant {
    TokenStream chat(String message);
}
