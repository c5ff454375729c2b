package dev.tollgate.policy;

/**
 * One entry of {@code providers:}: an LLM endpoint beyond the built-in ones.
 *
 * @param index   position in the {@code providers} list
 * @param name    optional display name, or null
 * @param baseUrl absolute http(s) URL; requests under it are LLM calls
 * @param format  wire format: openai, anthropic, gemini, ollama or azure-openai
 */
public record ProviderEndpoint(int index, String name, String baseUrl, String format) {}
