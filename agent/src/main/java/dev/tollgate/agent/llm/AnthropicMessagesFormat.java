package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.JsonScanner.ARRAY;
import static dev.tollgate.agent.llm.UsageSlots.CACHED;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_1H;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_5M;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_WRITE;
import static dev.tollgate.agent.llm.UsageSlots.OUTPUT;
import static dev.tollgate.agent.llm.UsageSlots.PROMPT;
import static dev.tollgate.agent.llm.UsageSlots.REASONING;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * Anthropic Messages ({@code .../v1/messages}): usage in the whole message or the stream's {@code message_delta},
 * and in {@code message_start}'s {@code message.usage}, reported cumulatively.
 */
final class AnthropicMessagesFormat extends ApiFormat {
  AnthropicMessagesFormat() {
    super("ANTHROPIC_MESSAGES");
  }

  @Override
  Endpoints.Shape shape(String path) {
    return path.endsWith("/v1/messages") ? new Endpoints.Shape(this, null, false, false, false, true) : null;
  }

  @Override
  String compatibleProvider() {
    return "anthropic-compatible";
  }

  @Override
  long maxOutputTokens(RequestFields f) {
    return f.count("max_tokens");
  }

  @Override
  public boolean reportedOnce() {
    return false;
  }

  @Override
  List<String> keys() {
    return List.of("usage", "message", "input_tokens", "output_tokens", "cache_read_input_tokens",
        "cache_creation_input_tokens", "cache_creation", "ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens",
        "output_tokens_details", "thinking_tokens", "delta", "content", "text", "partial_json", "thinking");
  }

  @Override
  boolean isModelPath(JsonPath p) {
    return p.is("model") || p.is("message", "model");
  }

  @Override
  boolean isTextPath(JsonPath p) {
    int r = p.depth();
    String last = p.last();
    if (r == 2 && p.key(0) == "delta") {
      return last == "text" || last == "partial_json" || last == "thinking";
    }
    return r == 3 && p.key(0) == "content" && p.key(1) == ARRAY && (last == "text" || last == "thinking");
  }

  @Override
  int slot(JsonPath p) {
    int r = p.depth();
    int at;
    if (p.key(0) == "usage") {
      at = 1;
    } else if (r >= 3 && p.key(0) == "message" && p.key(1) == "usage") {
      at = 2;
    } else {
      return -1;
    }
    String f = p.last();
    if (r == at + 1) {
      if (f == "input_tokens") {
        return PROMPT;
      } else if (f == "output_tokens") {
        return OUTPUT;
      } else if (f == "cache_read_input_tokens") {
        return CACHED;
      } else if (f == "cache_creation_input_tokens") {
        return CACHE_WRITE;
      }
    } else if (r == at + 2) {
      String d = p.key(at);
      if (d == "cache_creation") {
        return f == "ephemeral_5m_input_tokens" ? CACHE_5M : f == "ephemeral_1h_input_tokens" ? CACHE_1H : -1;
      } else if (d == "output_tokens_details" && f == "thinking_tokens") {
        return REASONING;
      }
    }
    return -1;
  }

  /** input_tokens already excludes cache reads and writes. */
  @Override
  Usage usage(UsageSlots s) {
    long output = s.n(OUTPUT);
    long write = s.has(CACHE_WRITE) ? s.n(CACHE_WRITE) : s.n(CACHE_5M) + s.n(CACHE_1H);
    return new Usage(s.n(PROMPT), s.n(CACHED), write, output, Math.min(s.n(REASONING), output));
  }

  @Override
  void refusal(JsonGenerator g, String message, Facts facts) throws IOException {
    g.writeStringField("type", "error");
    g.writeObjectFieldStart("error");
    g.writeStringField("type", "budget_exceeded");
    g.writeStringField("message", message);
    facts.write(g);
    g.writeEndObject();
  }
}
