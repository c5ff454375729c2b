package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Vert.x responses of admitted LLM calls and their exchanges, from the response's first byte to its end or
 * failure. A helper class, defined into the loader of Vert.x's {@code HttpClientResponseImpl}; every response of
 * every Vert.x client passes here, so the common case (no LLM call in flight) is one {@code isEmpty()}.
 */
public final class VertxResponseMeter {
  /** Keyed by identity: {@code HttpClientResponseImpl} keeps {@code Object}'s equals and hashCode. */
  private static final Map<Object, LlmExchange> METERED = new ConcurrentHashMap<>();

  private VertxResponseMeter() {}

  /** From now on the body of {@code response} is metered into {@code exchange}, which its end settles. */
  static void bind(Object response, LlmExchange exchange) {
    METERED.put(response, exchange);
  }

  public static void chunk(Object response, Buffer chunk) {
    if (METERED.isEmpty()) {
      return;
    }
    LlmExchange exchange = METERED.get(response);
    if (exchange != null) {
      // a view of the chunk's bytes with indices of its own: the handler the app set reads the chunk untouched
      Guard.llmBytes(exchange, chunk.getByteBuf().nioBuffer());
    }
  }

  /** The response ended ({@code failure} null) or failed: its exchange settles or is released. */
  public static void end(Object response, Throwable failure) {
    if (METERED.isEmpty()) {
      return;
    }
    LlmExchange exchange = METERED.remove(response);
    if (exchange != null) {
      Guard.llmEnd(exchange, failure == null, failure);
    }
  }
}
