package dev.tollgate.agent.llm;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * One provider wire format, as a strategy: which URL paths speak it, which request fields bound a call's cost, where
 * a response carries its model, usage and generated text, how its usage maps to {@link Usage}'s disjoint buckets,
 * and what its error body looks like. Everything format-specific lives in the format's own class; the metering
 * machinery (framing, decompression, JSON scanning, settlement) never asks which format it has.
 *
 * <p>Adding a wire format is one subclass and one line in {@link #ALL}. Field names the response side compares are
 * declared by {@link #keys()}; they are matched by identity ({@link Keys} interns them), so compare them with
 * string literals or constants, never with strings built at run time.
 */
public abstract class ApiFormat {
  public static final ApiFormat OPENAI_CHAT = new OpenAiFormats.Chat();
  public static final ApiFormat OPENAI_RESPONSES = new OpenAiFormats.Responses();
  public static final ApiFormat OPENAI_EMBEDDINGS = new OpenAiFormats.Embeddings();
  public static final ApiFormat ANTHROPIC_MESSAGES = new AnthropicMessagesFormat();
  public static final ApiFormat GEMINI_GENERATE = new GeminiGenerateFormat();
  public static final ApiFormat OLLAMA_CHAT = new OllamaFormat("OLLAMA_CHAT", "/api/chat");
  public static final ApiFormat OLLAMA_GENERATE = new OllamaFormat("OLLAMA_GENERATE", "/api/generate");
  public static final ApiFormat BEDROCK_CONVERSE = new BedrockConverseFormat();

  private static final List<ApiFormat> ALL = List.of(OPENAI_CHAT, OPENAI_RESPONSES, OPENAI_EMBEDDINGS,
      ANTHROPIC_MESSAGES, GEMINI_GENERATE, OLLAMA_CHAT, OLLAMA_GENERATE, BEDROCK_CONVERSE);

  private final String name;

  protected ApiFormat(String name) {
    this.name = name;
  }

  /** Upper-case name, e.g. {@code OPENAI_CHAT}; the log writes it in lower case. */
  public final String name() {
    return name;
  }

  @Override
  public final String toString() {
    return name;
  }

  /** Every format, in recognition order. */
  public static List<ApiFormat> values() {
    return ALL;
  }

  /** The format named {@code name}. */
  public static ApiFormat valueOf(String name) {
    for (ApiFormat f : ALL) {
      if (f.name.equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no wire format " + name);
  }

  // ---- where it is spoken

  /**
   * What a raw URL path ending says about a call in this format, or null when the path is not one of its
   * operations. Called for every HTTP request: a few {@code endsWith}, no allocation for a miss.
   */
  abstract Endpoints.Shape shape(String path);

  /** The provider a recognised call reports when neither its host nor a configured base names one. */
  abstract String compatibleProvider();

  // ---- the request

  /** The per-choice output cap the request sets: 0 for embeddings, -1 unknown. */
  abstract long maxOutputTokens(RequestFields f);

  /** How many choices the request asks for (at least 1 after clamping). */
  int choices(RequestFields f) {
    return 1;
  }

  /** Whether the response will be streamed. */
  boolean stream(RequestFields f, boolean streamByPath) {
    return Boolean.TRUE.equals(f.bool("stream"));
  }

  /** Whether the response will carry the provider's usage. */
  boolean includesUsage(RequestFields f, boolean stream) {
    return true;
  }

  // ---- the response

  /** Field names the response paths below compare (interned by {@link Keys}). */
  abstract List<String> keys();

  /** Whether a string at {@code p} is the responding model's name. */
  boolean isModelPath(JsonPath p) {
    return p.is("model");
  }

  /** Whether a string at {@code p} is generated text (its size estimates output when usage is missing). */
  abstract boolean isTextPath(JsonPath p);

  /** The {@link UsageSlots} slot a number at {@code p} fills, or -1. */
  abstract int slot(JsonPath p);

  /** The call's usage in disjoint buckets, from the slots its documents filled. */
  abstract Usage usage(UsageSlots s);

  /**
   * Whether usage arrives once, complete, at the end of the response (OpenAI's usage chunk just before
   * {@code [DONE]}, Responses' {@code response.completed}, Ollama's {@code done} object): seeing it is enough even
   * when the client stops reading early. False for formats that report cumulative usage along the way, whose cut
   * stream's last figures may be partial (then only a body read to its end counts as reported).
   */
  public abstract boolean reportedOnce();

  // ---- the refusal

  /**
   * Writes the fields of this format's error body (inside the root object) for a refused call: {@code message} is
   * what the app and the model read; {@code facts} writes Tollgate's object with the rule, budget and amounts.
   */
  abstract void refusal(JsonGenerator g, String message, Facts facts) throws IOException;

  /** Writes the {@code tollgate} facts object where a format's error body carries it. */
  interface Facts {
    void write(JsonGenerator g) throws IOException;
  }
}
