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
  /** A field that is there but is neither a number nor a boolean (its text is never read). */
  private static final Object OTHER = new Object();

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
    RequestFields f = new RequestFields();
    if (body != null) {
      try {
        read(body, f);
      } catch (IOException | RuntimeException e) {
        f = new RequestFields(); // malformed: nothing from the body is trusted
      }
    }
    String model = f.model() != null ? f.model() : pathModel;
    long cap = format.maxOutputTokens(f);
    int choices = Math.max(1, format.choices(f));
    boolean stream = format.stream(f, pathStream);
    boolean includeUsage = format.includesUsage(f, stream);
    return new LlmRequest(model, cap, choices, stream, includeUsage, estimate);
  }

  /**
   * Every scalar at the top level and one level down, by dotted path; arrays and deeper values are skipped without
   * being read into memory.
   */
  private static void read(byte[] body, RequestFields f) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.START_OBJECT) {
          readObject(p, v, (key, vt) -> scalar(p, vt, name + "." + key, f));
        } else if (v == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else if (name.equals("model")) {
          if (v == JsonToken.VALUE_STRING) {
            f.model(p.getText());
          }
        } else {
          scalar(p, v, name, f);
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("truncated JSON object or trailing content");
      }
    }
  }

  private static void scalar(JsonParser p, JsonToken v, String path, RequestFields f) throws IOException {
    if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
      f.put(path, v == JsonToken.VALUE_TRUE);
    } else if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
      f.put(path, count(p, v));
    } else if (v != JsonToken.VALUE_NULL) {
      f.put(path, OTHER); // present, but neither a number nor a boolean: not a count
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
