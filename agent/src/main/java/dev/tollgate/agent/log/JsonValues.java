package dev.tollgate.agent.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.policy.event.Fields;
import dev.tollgate.policy.event.JsonLine;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Writes JSON-like Java values (String, Number, Boolean, null, List, Map of these) as JSON. */
public final class JsonValues {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonValues() {}

  /** Compact JSON text of {@code value}; anything not JSON-like is written as its string form. */
  public static String text(Object value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      write(g, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static void write(JsonGenerator g, Object v) throws IOException {
    JsonLine.writeValue(g, v);
  }

  /**
   * The writer's side of {@link Fields}: each field straight onto the generator, nulls left out. Its methods throw
   * {@link UncheckedIOException}; the log writer reports it like any other failed write.
   */
  static final class GeneratorFields implements Fields {
    private final JsonGenerator g;

    GeneratorFields(JsonGenerator g) {
      this.g = g;
    }

    @Override
    public Fields put(String name, Object value) {
      if (value != null) {
        try {
          g.writeFieldName(name);
          write(g, value);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return this;
    }
  }
}
