package dev.tollgate.it.apps.langchain4j;

/** The AI service: one method call is one run. */
public interface Assistant {
    String chat(String message);
}
