/**
 * LLM calls seen as HTTP: which requests are LLM calls, what they may cost, what they did cost. Pure Java, no
 * instrumentation: the HTTP-client instrumentations call {@link dev.tollgate.agent.llm.Endpoints#recognize},
 * {@link dev.tollgate.agent.llm.RequestInspector#inspect}, {@link dev.tollgate.agent.llm.ResponseMeter} and
 * {@link dev.tollgate.agent.llm.BlockedResponse}.
 *
 * <h2>Recognised (POST only, by path shape, on any host)</h2>
 * <ul>
 *   <li>OpenAI-compatible {@code .../chat/completions} (any prefix: DeepSeek has no {@code /v1});
 *       {@code .../responses} and {@code .../embeddings} only under a version segment ({@code /v1}, {@code /v1beta},
 *       ...) or {@code /openai}, on a known host, or under a configured base URL, because these words are common
 *       elsewhere. {@code /responses/{id}}, {@code /responses/input_tokens} are not calls.</li>
 *   <li>Azure legacy {@code .../openai/deployments/{deployment}/chat/completions|embeddings|responses} (provider
 *       {@code azure-openai} on any host, the deployment as path model); Azure v1 {@code .../openai/v1/...} is
 *       {@code azure-openai} on Azure hosts only (Groq serves the same path).</li>
 *   <li>Anthropic {@code .../v1/messages} (not {@code count_tokens}, not {@code batches}).</li>
 *   <li>Gemini {@code .../models/{model}:generateContent|:streamGenerateContent} (v1, v1beta, Vertex
 *       {@code publishers/google}; other Vertex publishers speak other formats and are not recognised).</li>
 *   <li>Ollama native {@code /api/chat}, {@code /api/generate} only on port 11434, on {@code ollama.com}, or under
 *       a configured base URL: an app's own {@code /api/chat} backend is not an Ollama call.</li>
 * </ul>
 * Provider: a configured base URL (prefix on scheme, host, port and path segments; the longest wins) gives its
 * name; else the host ({@code api.openai.com} openai, {@code api.anthropic.com} anthropic,
 * {@code generativelanguage.googleapis.com} and {@code *aiplatform.googleapis.com} gemini, Azure hosts
 * azure-openai, port 11434 and {@code ollama.com} ollama); else the format: {@code openai-compatible},
 * {@code anthropic-compatible}, {@code gemini-compatible}. MCP transports and everything else are not calls.
 *
 * <h2>Usage normalised to {@link dev.tollgate.policy.budget.Usage}'s disjoint buckets</h2>
 * <ul>
 *   <li>OpenAI family (chat, Responses, embeddings, Groq {@code x_groq.usage}, xAI, OpenRouter): input =
 *       prompt_tokens (input_tokens) − cached_tokens − cache_write_tokens; cacheRead = cached_tokens, or DeepSeek's
 *       prompt_cache_hit_tokens; output = completion_tokens (output_tokens), reasoning ⊆ output. Embeddings: output
 *       0.</li>
 *   <li>Anthropic: input = input_tokens (already excludes cache); cacheRead = cache_read_input_tokens; cacheWrite =
 *       cache_creation_input_tokens (else the 5m + 1h breakdown); output = output_tokens; reasoning =
 *       output_tokens_details.thinking_tokens.</li>
 *   <li>Gemini: input = promptTokenCount − cachedContentTokenCount + toolUsePromptTokenCount; cacheRead =
 *       cachedContentTokenCount; output = candidatesTokenCount + thoughtsTokenCount; reasoning =
 *       thoughtsTokenCount.</li>
 *   <li>Ollama: input = prompt_eval_count, output = eval_count.</li>
 * </ul>
 * Reports are merged field by field, the last report of a field winning, and only from JSON documents that ended
 * whole: Anthropic's {@code message_start} overwritten by its cumulative {@code message_delta}, Gemini's and xAI's
 * cumulative per-chunk usage, OpenAI's single usage chunk. Nothing is ever summed. Negative or unreadable counts are
 * ignored and reported as a problem.
 *
 * <h2>Estimates (ceilings)</h2>
 * Prompt: UTF-8 bytes of the request body / 3, rounded up (above the real count on every sample measured), or the
 * Content-Length / 3 when the body is unreadable. Output, when usage is missing: UTF-8 bytes of the generated text
 * seen (content, reasoning and tool-argument deltas, as sent, escapes included) / 3, rounded up, at least 1 when any
 * text was seen; 0 for error statuses.
 *
 * <h2>Bounded memory</h2>
 * Responses are decompressed ({@code gzip}, {@code deflate}), framed (SSE, NDJSON, JSON, a streamed JSON array) and
 * tokenised as bytes pass, with fixed-size buffers only: a 10 MB SSE line or a 100 MB stream costs the same few KB.
 */
package dev.tollgate.agent.llm;
