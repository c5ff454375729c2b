package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.JsonScanner.ARRAY;
import static dev.tollgate.agent.llm.UsageSlots.CACHED;
import static dev.tollgate.agent.llm.UsageSlots.OUTPUT;
import static dev.tollgate.agent.llm.UsageSlots.PROMPT;
import static dev.tollgate.agent.llm.UsageSlots.THOUGHTS;
import static dev.tollgate.agent.llm.UsageSlots.TOOL_PROMPT;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * Gemini {@code generateContent} / {@code streamGenerateContent} (Google AI and Vertex): the model in the path,
 * streaming by the path, {@code usageMetadata} reported cumulatively, a root array of documents without
 * {@code alt=sse}.
 */
final class GeminiGenerateFormat extends ApiFormat {
  GeminiGenerateFormat() {
    super("GEMINI_GENERATE");
  }

  @Override
  Endpoints.Shape shape(String path) {
    if (path.endsWith(":generateContent")) {
      return Endpoints.gemini(this, path, path.length() - ":generateContent".length(), false);
    }
    if (path.endsWith(":streamGenerateContent")) {
      return Endpoints.gemini(this, path, path.length() - ":streamGenerateContent".length(), true);
    }
    return null;
  }

  @Override
  String compatibleProvider() {
    return "gemini-compatible";
  }

  @Override
  long maxOutputTokens(RequestFields f) {
    return f.count("generationConfig.maxOutputTokens", "generationConfig.max_output_tokens",
        "generation_config.max_output_tokens", "generation_config.maxOutputTokens");
  }

  @Override
  int choices(RequestFields f) {
    return f.choices("generationConfig.candidateCount", "generationConfig.candidate_count",
        "generation_config.candidate_count", "generation_config.candidateCount");
  }

  @Override
  boolean stream(RequestFields f, boolean streamByPath) {
    return streamByPath;
  }

  @Override
  public boolean reportedOnce() {
    return false;
  }

  @Override
  List<String> keys() {
    return List.of("modelVersion", "usageMetadata", "promptTokenCount", "cachedContentTokenCount",
        "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount", "candidates", "content", "parts",
        "text");
  }

  @Override
  boolean isModelPath(JsonPath p) {
    return p.is("modelVersion");
  }

  @Override
  boolean isTextPath(JsonPath p) {
    return p.depth() == 6 && p.key(0) == "candidates" && p.key(1) == ARRAY && p.key(2) == "content"
        && p.key(3) == "parts" && p.key(4) == ARRAY && p.last() == "text";
  }

  @Override
  int slot(JsonPath p) {
    if (p.depth() != 2 || p.key(0) != "usageMetadata") {
      return -1;
    }
    String f = p.key(1);
    if (f == "promptTokenCount") {
      return PROMPT;
    } else if (f == "cachedContentTokenCount") {
      return CACHED;
    } else if (f == "candidatesTokenCount") {
      return OUTPUT;
    } else if (f == "thoughtsTokenCount") {
      return THOUGHTS;
    } else if (f == "toolUsePromptTokenCount") {
      return TOOL_PROMPT;
    }
    return -1;
  }

  /** promptTokenCount includes cached content; candidatesTokenCount excludes thoughts. */
  @Override
  Usage usage(UsageSlots s) {
    long prompt = s.n(PROMPT);
    long cached = Math.min(s.n(CACHED), prompt);
    long thoughts = s.n(THOUGHTS);
    return new Usage(prompt - cached + s.n(TOOL_PROMPT), cached, 0, s.n(OUTPUT) + thoughts, thoughts);
  }

  @Override
  void refusal(JsonGenerator g, String message, Facts facts) throws IOException {
    g.writeObjectFieldStart("error");
    g.writeNumberField("code", BlockedResponse.STATUS);
    g.writeStringField("message", message);
    g.writeStringField("status", "FAILED_PRECONDITION");
    facts.write(g);
    g.writeEndObject();
  }
}
