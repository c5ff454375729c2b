package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.JsonScanner.ARRAY;
import static dev.tollgate.agent.llm.UsageSlots.CACHED;
import static dev.tollgate.agent.llm.UsageSlots.CACHE_WRITE;
import static dev.tollgate.agent.llm.UsageSlots.OUTPUT;
import static dev.tollgate.agent.llm.UsageSlots.PROMPT;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * AWS Bedrock Converse / ConverseStream: model in the URL path, cap in {@code inferenceConfig.maxTokens}, usage in
 * {@code usage} (the whole response, or the stream's {@code metadata} event, its last), streams framed as AWS
 * event-stream messages (one JSON payload each; the framing is {@link ResponseMeter}'s). Recognised only by the AWS
 * SDK seam ({@link Endpoints#recognizeBedrock}): no URL path on a plain HTTP client is taken for it.
 */
final class BedrockConverseFormat extends ApiFormat {
  BedrockConverseFormat() {
    super("BEDROCK_CONVERSE");
  }

  /** Never by path: only the SDK seam knows a request is a Bedrock Runtime call. */
  @Override
  Endpoints.Shape shape(String path) {
    return null;
  }

  @Override
  String compatibleProvider() {
    return Endpoints.BEDROCK;
  }

  @Override
  long maxOutputTokens(RequestFields f) {
    return f.count("inferenceConfig.maxTokens");
  }

  @Override
  boolean stream(RequestFields f, boolean streamByPath) {
    return streamByPath;
  }

  /** The metadata event carries the call's usage once, complete. */
  @Override
  public boolean reportedOnce() {
    return true;
  }

  @Override
  List<String> keys() {
    return List.of("usage", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheWriteInputTokens", "delta",
        "text", "toolUse", "input", "reasoningContent", "output", "message", "content");
  }

  /**
   * Stream: contentBlockDelta's {@code delta.text}, {@code delta.toolUse.input}, {@code delta.reasoningContent.text};
   * whole response: {@code output.message.content[].text}.
   */
  @Override
  boolean isTextPath(JsonPath p) {
    int r = p.depth();
    String last = p.last();
    if (p.key(0) == "delta") {
      return (r == 2 && last == "text")
          || (r == 3 && (p.key(1) == "toolUse" && last == "input" || p.key(1) == "reasoningContent" && last == "text"));
    }
    return r == 5 && p.key(0) == "output" && p.key(1) == "message" && p.key(2) == "content" && p.key(3) == ARRAY
        && last == "text";
  }

  @Override
  int slot(JsonPath p) {
    if (p.depth() != 2 || p.key(0) != "usage") {
      return -1;
    }
    String f = p.key(1);
    if (f == "inputTokens") {
      return PROMPT;
    } else if (f == "outputTokens") {
      return OUTPUT;
    } else if (f == "cacheReadInputTokens") {
      return CACHED;
    } else if (f == "cacheWriteInputTokens") {
      return CACHE_WRITE;
    }
    return -1;
  }

  /** inputTokens excludes the cache reads and writes, reported beside it (TokenUsage). */
  @Override
  Usage usage(UsageSlots s) {
    return new Usage(s.n(PROMPT), s.n(CACHED), s.n(CACHE_WRITE), s.n(OUTPUT), 0);
  }

  /** Bedrock's own error shape ({@code message}); the SDK seam answers with an exception carrying it. */
  @Override
  void refusal(JsonGenerator g, String message, Facts facts) throws IOException {
    g.writeStringField("message", message);
    facts.write(g);
  }
}
