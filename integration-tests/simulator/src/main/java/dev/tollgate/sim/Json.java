package dev.tollgate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The simulator's one {@link ObjectMapper}. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static String object(String key, String value) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put(key, value);
        return write(node);
    }

    /** Scripted arguments as a JSON object (as Anthropic {@code input}, Gemini {@code args}, Ollama {@code arguments}). */
    static JsonNode argumentsObject(String argumentsJson) {
        try {
            JsonNode args = MAPPER.readTree(argumentsJson);
            return args != null && args.isObject() ? args : MAPPER.createObjectNode();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scripted arguments are not a JSON object: " + argumentsJson, e);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
