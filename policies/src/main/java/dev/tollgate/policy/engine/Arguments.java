package dev.tollgate.policy.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one tool call, read from the raw JSON text the model sent, with Jackson's streaming parser
 * (no data binding). Readable arguments are a JSON object; anything else — malformed JSON, another JSON
 * value, duplicate keys at any depth (the tool's parser might see the other value), nesting deeper than
 * {@link #MAX_DEPTH}, text longer than {@link #MAX_CHARS}, or no text at all — is unreadable, and argument
 * rules then fail closed. Blank text is an empty object (some frameworks send "" for a tool without
 * parameters).
 */
final class Arguments {
  /** Longest argument text read (1 MiB of characters); longer arguments are unreadable. */
  static final int MAX_CHARS = 1 << 20;
  static final int MAX_DEPTH = 64;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  /** Marks a number, true, false or null: kept as its JSON text. */
  record Literal(String json) {}

  private final Map<String, Object> values;
  private final String problem;

  private Arguments(Map<String, Object> values, String problem) {
    this.values = values;
    this.problem = problem;
  }

  static Arguments read(String raw) {
    if (raw == null) {
      return new Arguments(null, "the call carried no arguments");
    }
    if (raw.length() > MAX_CHARS) {
      return new Arguments(null, "they are longer than " + MAX_CHARS + " characters");
    }
    if (raw.isBlank()) {
      return new Arguments(Map.of(), null);
    }
    try (JsonParser p = JSON.createParser(raw)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Arguments(null, "they are not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> values = (Map<String, Object>) value(p);
      if (p.nextToken() != null) {
        return new Arguments(null, "there is text after the JSON object");
      }
      return new Arguments(values, null);
    } catch (IOException | RuntimeException e) {
      // message deliberately not passed on: it may quote model text and Java internals
      return new Arguments(null, "they are not valid JSON");
    }
  }

  private static Object value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, value(p));
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p));
        }
        return list;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
      case VALUE_NULL:
        return new Literal(p.getText());
      default:
        throw new IOException("unexpected token");
    }
  }

  boolean readable() {
    return problem == null;
  }

  /** Why the arguments are unreadable ("they are not valid JSON"), or null. */
  String problem() {
    return problem;
  }

  /**
   * The top-level argument {@code name} as text: a string as-is, a number, boolean or null as its JSON text,
   * an object or array as compact JSON. Null when absent or unreadable.
   */
  String text(String name) {
    if (values == null || !values.containsKey(name)) {
      return null;
    }
    Object value = values.get(name);
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Literal l) {
      return l.json();
    }
    return json(value);
  }

  /**
   * The top-level argument {@code name} with its JSON kind, for typed matchers; null when absent or unreadable.
   */
  dev.tollgate.policy.args.ArgumentValue value(String name) {
    if (values == null || !values.containsKey(name)) {
      return null;
    }
    Object value = values.get(name);
    dev.tollgate.policy.args.ArgumentValue.Kind kind;
    java.util.List<String> strings = null;
    if (value instanceof String) {
      kind = dev.tollgate.policy.args.ArgumentValue.Kind.STRING;
    } else if (value instanceof Literal l) {
      char first = l.json().charAt(0);
      kind = first == 't' || first == 'f' ? dev.tollgate.policy.args.ArgumentValue.Kind.BOOLEAN
          : first == 'n' ? dev.tollgate.policy.args.ArgumentValue.Kind.NULL
          : dev.tollgate.policy.args.ArgumentValue.Kind.NUMBER;
    } else if (value instanceof List<?> list) {
      kind = dev.tollgate.policy.args.ArgumentValue.Kind.ARRAY;
      if (list.stream().allMatch(String.class::isInstance)) {
        strings = list.stream().map(String.class::cast).toList();
      }
    } else {
      kind = dev.tollgate.policy.args.ArgumentValue.Kind.OBJECT;
    }
    return new dev.tollgate.policy.args.ArgumentValue(kind, text(name), strings);
  }

  /** The arguments' canonical text for the loop guard (see {@link LoopGuardKey}); null when unreadable. */
  String canonical() {
    return values == null ? null : LoopGuardKey.of(values);
  }

  private static String json(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, value);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static void write(JsonGenerator g, Object value) throws IOException {
    if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Literal l) {
      g.writeRawValue(l.json());
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object item : list) {
        write(g, item);
      }
      g.writeEndArray();
    } else {
      Map<String, Object> map = (Map<String, Object>) value;
      g.writeStartObject();
      for (Map.Entry<String, Object> e : map.entrySet()) {
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    }
  }
}
