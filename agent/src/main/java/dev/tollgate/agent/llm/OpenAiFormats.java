package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.JsonScanner.ARRAY;
import static dev.tollgate.agent.llm.UsageSlots.CACHED;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_HIT;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_WRITE;
import static dev.tollgate.agent.llm.UsageSlots.OUTPUT;
import static dev.tollgate.agent.llm.UsageSlots.PROMPT;
import static dev.tollgate.agent.llm.UsageSlots.REASONING;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * The OpenAI family: Chat Completions, Responses and Embeddings, spoken by OpenAI, Azure OpenAI and most gateways
 * and local servers. They share the usage object ({@code usage}, Groq's {@code x_groq.usage}, the Responses
 * stream's {@code response.usage}) and the error body.
 */
final class OpenAiFormats {
  private OpenAiFormats() {}

  private abstract static class Family extends ApiFormat {
    private final String suffix;
    private final boolean gated;

    Family(String name, String suffix, boolean gated) {
      super(name);
      this.suffix = suffix;
      this.gated = gated;
    }

    @Override
    Endpoints.Shape shape(String path) {
      return path.endsWith(suffix) ? Endpoints.openAi(this, path, path.length() - suffix.length(), gated) : null;
    }

    @Override
    String compatibleProvider() {
      return "openai-compatible";
    }

    @Override
    public boolean reportedOnce() {
      return true;
    }

    @Override
    List<String> keys() {
      return List.of("usage", "x_groq", "response", "prompt_tokens", "completion_tokens", "prompt_tokens_details",
          "completion_tokens_details", "input_tokens_details", "output_tokens_details", "cached_tokens",
          "cache_write_tokens", "reasoning_tokens", "prompt_cache_hit_tokens", "input_tokens", "output_tokens",
          "choices", "delta", "message", "content", "reasoning_content", "reasoning", "tool_calls", "function",
          "arguments", "text", "output", "summary");
    }

    /** usage | x_groq.usage (Groq streams) | response.usage (Responses stream events). */
    @Override
    int slot(JsonPath p) {
      int r = p.depth();
      int at;
      if (p.key(0) == "usage") {
        at = 1;
      } else if (r >= 3 && (p.key(0) == "x_groq" || p.key(0) == "response") && p.key(1) == "usage") {
        at = 2;
      } else {
        return -1;
      }
      String f = p.last();
      if (r == at + 1) {
        if (f == "prompt_tokens" || f == "input_tokens") {
          return PROMPT;
        } else if (f == "completion_tokens" || f == "output_tokens") {
          return OUTPUT;
        } else if (f == "prompt_cache_hit_tokens") {
          return CACHE_HIT;
        }
      } else if (r == at + 2) {
        String d = p.key(at);
        if (d == "prompt_tokens_details" || d == "input_tokens_details") {
          if (f == "cached_tokens") {
            return CACHED;
          } else if (f == "cache_write_tokens") {
            return CACHE_WRITE;
          }
        } else if ((d == "completion_tokens_details" || d == "output_tokens_details") && f == "reasoning_tokens") {
          return REASONING;
        }
      }
      return -1;
    }

    /** prompt_tokens includes cached and cache-write tokens; completion_tokens includes reasoning. */
    @Override
    Usage usage(UsageSlots s) {
      long prompt = s.n(PROMPT);
      long cached = Math.min(s.has(CACHED) ? s.n(CACHED) : s.n(CACHE_HIT), prompt);
      long write = Math.min(s.n(CACHE_WRITE), prompt - cached);
      long out = outputCounts() ? s.n(OUTPUT) : 0;
      return new Usage(prompt - cached - write, cached, write, out, Math.min(s.n(REASONING), out));
    }

    boolean outputCounts() {
      return true;
    }

    @Override
    void refusal(JsonGenerator g, String message, Facts facts) throws IOException {
      g.writeObjectFieldStart("error");
      g.writeStringField("message", message);
      g.writeStringField("type", "budget_exceeded");
      g.writeNullField("param");
      g.writeStringField("code", "budget_exceeded");
      facts.write(g);
      g.writeEndObject();
    }
  }

  /** {@code .../chat/completions}. */
  static final class Chat extends Family {
    Chat() {
      super("OPENAI_CHAT", "/chat/completions", false);
    }

    @Override
    long maxOutputTokens(RequestFields f) {
      long completion = f.count("max_completion_tokens");
      return completion >= 0 ? completion : f.count("max_tokens");
    }

    @Override
    int choices(RequestFields f) {
      return f.choices("n");
    }

    /** A chat stream carries usage only when asked to ({@code stream_options.include_usage}). */
    @Override
    boolean includesUsage(RequestFields f, boolean stream) {
      return !stream || Boolean.TRUE.equals(f.bool("stream_options.include_usage"));
    }

    /** choices[].delta.content | .message.content (and reasoning), choices[].text, tool call arguments. */
    @Override
    boolean isTextPath(JsonPath p) {
      int r = p.depth();
      if (r < 3 || p.key(0) != "choices" || p.key(1) != ARRAY) {
        return false;
      }
      String last = p.last();
      if (r == 3) {
        return last == "text";
      }
      String kind = p.key(2);
      if (kind != "delta" && kind != "message") {
        return false;
      }
      if (r == 4) {
        return last == "content" || last == "reasoning_content" || last == "reasoning";
      }
      return r == 7 && p.key(3) == "tool_calls" && p.key(5) == "function" && last == "arguments";
    }
  }

  /** {@code .../responses}. */
  static final class Responses extends Family {
    Responses() {
      super("OPENAI_RESPONSES", "/responses", true);
    }

    @Override
    long maxOutputTokens(RequestFields f) {
      return f.count("max_output_tokens");
    }

    @Override
    boolean isModelPath(JsonPath p) {
      return p.is("model") || p.is("response", "model");
    }

    /** Stream: every {@code *.delta} event's delta; whole: output[].content[].text, output[].arguments. */
    @Override
    boolean isTextPath(JsonPath p) {
      int r = p.depth();
      String last = p.last();
      if (r == 1) {
        return last == "delta";
      }
      if (p.key(0) != "output" || p.key(1) != ARRAY) {
        return false;
      }
      return (r == 3 && last == "arguments")
          || (r == 5 && (p.key(2) == "content" || p.key(2) == "summary") && p.key(3) == ARRAY && last == "text");
    }
  }

  /** {@code .../embeddings}: no output tokens, never streamed. */
  static final class Embeddings extends Family {
    Embeddings() {
      super("OPENAI_EMBEDDINGS", "/embeddings", true);
    }

    @Override
    long maxOutputTokens(RequestFields f) {
      return 0;
    }

    @Override
    boolean stream(RequestFields f, boolean streamByPath) {
      return false;
    }

    @Override
    boolean isTextPath(JsonPath p) {
      return false;
    }

    @Override
    boolean outputCounts() {
      return false;
    }
  }
}
