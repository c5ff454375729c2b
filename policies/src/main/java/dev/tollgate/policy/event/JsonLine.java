package dev.tollgate.policy.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON object per line, read into plain values (Map, List, String, Long, BigDecimal, Boolean, null) with
 * Jackson's streaming parser, and written from {@link Written} values by {@link JsonBytes}. Decimals stay
 * {@link BigDecimal}, so money is exact. Shared by the log's readers and the audit journal.
 */
public final class JsonLine {
  /** Jackson's factory, made on the first parse or {@link #text}: {@link #write} does not load jackson-core. */
  private static final class Jackson {
    static final JsonFactory JSON = new JsonFactory();
  }

  private JsonLine() {}

  /** The line as a map; throws when it is not one JSON object. */
  public static Map<String, Object> parse(String line) throws IOException {
    try (JsonParser p = Jackson.JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) value(p);
      if (p.nextToken() != null) {
        throw new IOException("text after the JSON object");
      }
      return map;
    }
  }

  /** Compact JSON text of a JSON-like value (tool arguments a framework hands over as maps and lists). */
  public static String text(Object value) {
    java.io.StringWriter out = new java.io.StringWriter();
    try (JsonGenerator g = Jackson.JSON.createGenerator(out)) {
      writeValue(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** One compact JSON object (no newline) of what {@code w} writes ({@link JsonBytes}: no Jackson generator). */
  public static String write(Written w) {
    return new JsonBytes(256).object(w).toString();
  }

  private static void writeObject(JsonGenerator g, Written w) throws IOException {
    g.writeStartObject();
    try {
      w.write(new Fields() {
        @Override
        public Fields put(String name, Object value) {
          if (value != null) {
            try {
              g.writeFieldName(name);
              writeValue(g, value);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return this;
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    g.writeEndObject();
  }

  /** Writes a JSON-like value: String, Number, Boolean, {@link Written}, List or Map of these; others as text. */
  public static void writeValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Long) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof Written w) {
      writeObject(g, w);
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        writeValue(g, o);
      }
      g.writeEndArray();
    } else if (v instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeValue(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      g.writeString(v.toString());
    }
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, value(p));
        }
        return map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(value(p));
        }
        return list;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? new BigDecimal(p.getBigIntegerValue())
            : p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDecimalValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IOException("unexpected " + t);
    }
  }
}
