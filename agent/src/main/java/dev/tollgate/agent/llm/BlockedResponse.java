package dev.tollgate.agent.llm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The synthetic response for an LLM call Tollgate blocks: an error body in the provider's own format, so the app's
 * SDK raises its usual exception with our message, and headers that tell every Stainless SDK not to retry.
 * 402 is not retried by any SDK's default rules (providers.md 6.3), and there is no {@code retry-after}.
 */
public final class BlockedResponse {
  public static final int STATUS = 402;
  private static final JsonFactory JSON = new JsonFactory();
  private static final Map<String, String> HEADERS;

  static {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("content-type", "application/json");
    h.put("x-should-retry", "false");
    HEADERS = Collections.unmodifiableMap(h);
  }

  private BlockedResponse() {}

  /** The error body, UTF-8 JSON. {@code facts}: strings, numbers, booleans (anything else is written as text). */
  public static byte[] body(Endpoint endpoint, String message, Map<String, Object> facts) {
    ApiFormat format = endpoint == null ? ApiFormat.OPENAI_CHAT : endpoint.format();
    String text = message == null ? "blocked by tollgate" : message;
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      format.refusal(g, text, gen -> facts(gen, facts));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code content-type: application/json} and {@code x-should-retry: false}. */
  public static Map<String, String> headers() {
    return HEADERS;
  }

  private static void facts(JsonGenerator g, Map<String, Object> facts) throws IOException {
    g.writeObjectFieldStart("tollgate");
    if (facts != null) {
      for (Map.Entry<String, Object> e : facts.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        Object v = e.getValue();
        if (v == null) {
          g.writeNull();
        } else if (v instanceof Boolean b) {
          g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
          g.writeNumber(((Number) v).longValue());
        } else if (v instanceof java.math.BigDecimal d) {
          g.writeNumber(d);
        } else if (v instanceof java.math.BigInteger i) {
          g.writeNumber(i);
        } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
          g.writeNumber(n.doubleValue());
        } else {
          g.writeString(String.valueOf(v));
        }
      }
    }
    g.writeEndObject();
  }
}
