package dev.tollgate.agent.llm;

/**
 * A provider named in the policy's {@code providers}: every call under {@code baseUrl} (prefix match on scheme, host,
 * port and path) is reported under {@code name}.
 *
 * @param format {@code openai}, {@code anthropic}, {@code gemini}, {@code ollama} or {@code azure-openai}
 */
public record ConfiguredProvider(String name, String baseUrl, String format) {}
