package dev.tollgate.agent.llm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the few request fields that bound a call's cost with Jackson's streaming parser: top-level fields only,
 * everything else skipped without building a tree or materialising strings, so a 20 MB body costs no more than its
 * own bytes.
 */
public final class RequestInspector {
  private static final JsonFactory JSON = new JsonFactory();

  private RequestInspector() {}

  /**
   * @param body          the request body, or null if it could not be read
   * @param contentLength the body's length when known, else -1 (used for the estimate when {@code body} is null)
   */
  public static LlmRequest inspect(Endpoint endpoint, byte[] body, long contentLength) {
    ApiFormat format = endpoint == null ? ApiFormat.OPENAI_CHAT : endpoint.format();
    String pathModel = endpoint == null ? null : endpoint.pathModel();
    boolean pathStream = endpoint != null && endpoint.streamByPath();
    long bytes = body != null ? body.length : contentLength;
    // UTF-8 bytes / 3 was above the real token count on every sample measured (providers.md 8.2)
    long estimate = bytes < 0 ? -1 : (bytes + 2) / 3;
    Fields f = new Fields();
    if (body != null) {
      try {
        read(body, f);
      } catch (IOException | RuntimeException e) {
        f = new Fields(); // malformed: nothing from the body is trusted
      }
    }
    String model = f.model != null ? f.model : pathModel;
    long cap = switch (format) {
      case OPENAI_CHAT -> f.maxCompletionTokens >= 0 ? f.maxCompletionTokens : f.maxTokens;
      case OPENAI_RESPONSES -> f.maxOutputTokens;
      case OPENAI_EMBEDDINGS -> 0;
      case ANTHROPIC_MESSAGES -> f.maxTokens;
      case GEMINI_GENERATE -> f.geminiMaxOutputTokens;
      case OLLAMA_CHAT, OLLAMA_GENERATE -> f.numPredict > 0 ? f.numPredict : -1;
      case BEDROCK_CONVERSE -> f.bedrockMaxTokens;
    };
    int choices = switch (format) {
      case OPENAI_CHAT -> f.n;
      case GEMINI_GENERATE -> f.candidateCount;
      default -> 1;
    };
    boolean stream = switch (format) {
      case GEMINI_GENERATE, BEDROCK_CONVERSE -> pathStream;
      case OLLAMA_CHAT, OLLAMA_GENERATE -> f.stream == null || f.stream; // Ollama streams unless told not to
      case OPENAI_EMBEDDINGS -> false;
      default -> f.stream != null && f.stream;
    };
    boolean includeUsage = format != ApiFormat.OPENAI_CHAT || !stream || f.includeUsage;
    return new LlmRequest(model, cap, Math.max(1, choices), stream, includeUsage, estimate);
  }

  private static final class Fields {
    String model;
    long maxTokens = -1;
    long maxCompletionTokens = -1;
    long maxOutputTokens = -1;
    long geminiMaxOutputTokens = -1;
    long numPredict = -1;
    long bedrockMaxTokens = -1;
    int n = 1;
    int candidateCount = 1;
    Boolean stream;
    boolean includeUsage;
  }

  private static void read(byte[] body, Fields f) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "model" -> f.model = v == JsonToken.VALUE_STRING ? p.getText() : f.model;
          case "max_tokens" -> f.maxTokens = count(p, v);
          case "max_completion_tokens" -> f.maxCompletionTokens = count(p, v);
          case "max_output_tokens" -> f.maxOutputTokens = count(p, v);
          case "n" -> f.n = (int) Math.min(Integer.MAX_VALUE, Math.max(1, count(p, v)));
          case "stream" -> f.stream = v == JsonToken.VALUE_TRUE ? Boolean.TRUE
              : v == JsonToken.VALUE_FALSE ? Boolean.FALSE : f.stream;
          case "stream_options" -> readObject(p, v, (key, vt) -> {
            if (key.equals("include_usage")) {
              f.includeUsage = vt == JsonToken.VALUE_TRUE;
            }
          });
          case "generationConfig", "generation_config" -> readObject(p, v, (key, vt) -> {
            if (key.equals("maxOutputTokens") || key.equals("max_output_tokens")) {
              f.geminiMaxOutputTokens = count(p, vt);
            } else if (key.equals("candidateCount") || key.equals("candidate_count")) {
              f.candidateCount = (int) Math.min(Integer.MAX_VALUE, Math.max(1, count(p, vt)));
            }
          });
          case "inferenceConfig" -> readObject(p, v, (key, vt) -> {
            if (key.equals("maxTokens")) {
              f.bedrockMaxTokens = count(p, vt);
            }
          });
          case "options" -> readObject(p, v, (key, vt) -> {
            if (key.equals("num_predict")) {
              f.numPredict = count(p, vt);
            }
          });
          default -> p.skipChildren();
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          // readObject consumed objects it read; skipChildren is a no-op at their end
          if (p.currentToken() != JsonToken.END_OBJECT && p.currentToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("truncated JSON object or trailing content");
      }
    }
  }

  private interface FieldReader {
    void field(String key, JsonToken value) throws IOException;
  }

  /** Visits an object's direct scalar fields; nested values are skipped. Leaves the parser on its END_OBJECT. */
  private static void readObject(JsonParser p, JsonToken v, FieldReader reader) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken vt = p.nextToken();
      if (vt == JsonToken.START_OBJECT || vt == JsonToken.START_ARRAY) {
        p.skipChildren();
      } else {
        reader.field(key, vt);
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new IOException("truncated JSON object");
    }
  }

  /** A token count: a non-negative integer, else -1. */
  private static long count(JsonParser p, JsonToken v) throws IOException {
    if (v == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        return Long.MAX_VALUE;
      }
      long n = p.getLongValue();
      return n >= 0 ? n : -1;
    }
    if (v == JsonToken.VALUE_NUMBER_FLOAT) {
      double d = p.getDoubleValue();
      return d >= 0 && d == Math.rint(d) ? (long) Math.min(d, Long.MAX_VALUE) : -1;
    }
    p.skipChildren();
    return -1;
  }
}
