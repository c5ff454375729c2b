package dev.tollgate.agent.llm;

/**
 * A recognised LLM endpoint.
 *
 * @param provider     {@code openai}, {@code anthropic}, {@code gemini}, {@code azure-openai}, {@code ollama}, a
 *                     configured provider's name, or (unknown host) {@code openai-compatible},
 *                     {@code anthropic-compatible}, {@code gemini-compatible}
 * @param format       the wire format
 * @param pathModel    model (Gemini, Vertex) or Azure deployment taken from the URL path, else null
 * @param streamByPath true for Gemini {@code :streamGenerateContent}
 */
public record Endpoint(String provider, ApiFormat format, String pathModel, boolean streamByPath) {}
