package dev.tollgate.agent.llm;

import static dev.tollgate.agent.llm.UsageSlots.OUTPUT;
import static dev.tollgate.agent.llm.UsageSlots.PROMPT;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.budget.Usage;
import java.io.IOException;
import java.util.List;

/**
 * Ollama's native API ({@code /api/chat}, {@code /api/generate}): NDJSON streams by default, usage once in the
 * final {@code done} object. Its generic paths count only on a known Ollama host or port, or a configured base.
 */
final class OllamaFormat extends ApiFormat {
  private final String suffix;

  OllamaFormat(String name, String suffix) {
    super(name);
    this.suffix = suffix;
  }

  @Override
  Endpoints.Shape shape(String path) {
    return path.endsWith(suffix) ? new Endpoints.Shape(this, null, false, false, true, false) : null;
  }

  @Override
  String compatibleProvider() {
    return "ollama";
  }

  @Override
  long maxOutputTokens(RequestFields f) {
    long n = f.count("options.num_predict");
    return n > 0 ? n : -1;
  }

  /** Ollama streams unless told not to. */
  @Override
  boolean stream(RequestFields f, boolean streamByPath) {
    Boolean stream = f.bool("stream");
    return stream == null || stream;
  }

  @Override
  public boolean reportedOnce() {
    return true;
  }

  @Override
  List<String> keys() {
    return List.of("prompt_eval_count", "eval_count", "response", "thinking", "message", "content");
  }

  @Override
  boolean isTextPath(JsonPath p) {
    int r = p.depth();
    String last = p.last();
    return (r == 1 && (last == "response" || last == "thinking"))
        || (r == 2 && p.key(0) == "message" && (last == "content" || last == "thinking"));
  }

  @Override
  int slot(JsonPath p) {
    if (p.depth() != 1) {
      return -1;
    }
    String f = p.key(0);
    return f == "prompt_eval_count" ? PROMPT : f == "eval_count" ? OUTPUT : -1;
  }

  @Override
  Usage usage(UsageSlots s) {
    return new Usage(s.n(PROMPT), 0, 0, s.n(OUTPUT), 0);
  }

  @Override
  void refusal(JsonGenerator g, String message, Facts facts) throws IOException {
    g.writeStringField("error", message);
    facts.write(g);
  }
}
