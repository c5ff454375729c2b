package dev.tollgate.agent.instrumentation.reactornetty.v1;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmCallRefusedException;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientInfos;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Reactor Netty's {@code HttpClient} used directly (not under Spring's {@code WebClient} / {@code RestClient} or
 * azure-core's pipeline, which govern the request themselves). Its request is built on the app's thread and sent
 * from an event loop, so what the app's thread knows travels in the Reactor context of the connection:
 * {@link #connecting} (at {@code HttpClientFinalizer._connect()}, on the app's thread: where the request is assembled,
 * and again where it is subscribed) records whether an outer layer governs it, or lends the thread's run to it. On
 * the event loop, the body the app hands to {@code send(Publisher)} (each attempt, once its method and URL are set) is,
 * for an LLM call, gathered into memory ({@link #body}), admitted, and written as one buffer of the same bytes (with its length), or refused with {@link LlmCallRefusedException}
 * before a byte is written; the response is shown to the exchange as the connection reads it ({@link #inbound},
 * decompressed when the app asked for compression) and the exchange ends at its last content, or when the inbound
 * closes, is cancelled, or the send fails. A helper class, defined into the loader of the app's Reactor Netty.
 */
public final class ReactorNettyLlmCalls {
  /** The Reactor context key of a connection's governance: {@link #OUTER}, or the carrier the app's run is lent to. */
  static final String KEY = "dev.tollgate.reactor-netty.request";
  /** azure-core's pipeline marks the attempts it governs with this Reactor context key (AzurePipelineGuard). */
  static final String AZURE_GOVERNED = "dev.tollgate.azure-core.governed";
  static final Object OUTER = new Object();
  static final String CLIENT = "reactor-netty";

  /** The LLM calls in flight, by their connection operations (one request and its response each). */
  private static final Map<Object, Call> CALLS = Collections.synchronizedMap(new WeakHashMap<>());

  private ReactorNettyLlmCalls() {}

  /** One LLM request on a connection: recognised, then admitted with its body, then metered. */
  static final class Call {
    final String method;
    final String uri;
    final Object runCarrier;
    volatile LlmExchange exchange;
    volatile boolean ended;

    Call(String method, String uri, Object runCarrier) {
      this.method = method;
      this.uri = uri;
      this.runCarrier = runCarrier;
    }

    void end(boolean complete, Throwable error) {
      if (!ended && exchange != null) {
        ended = true;
        Guard.llmEnd(exchange, complete, error);
      }
    }
  }

  /** What the app's thread knows about the request, or null: an outer layer governs it, or the run it is in. */
  private static Object here() {
    if (Guard.llmOuterActive()) {
      return OUTER;
    }
    if (Guard.inRun()) {
      Object carrier = new Object();
      Guard.runLend(carrier);
      return carrier;
    }
    return null;
  }

  /**
   * The connection {@code _connect()} returns, carrying what the app's thread knows where it is assembled and where
   * it is subscribed (the latter wins: an outer layer may subscribe what it did not assemble).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Mono connecting(Mono connection) {
    if (connection == null || !Guard.installed()) {
      return connection;
    }
    Object assembled = here();
    return Mono.defer(() -> {
      Object subscribed = here();
      Object state = subscribed != null ? subscribed : assembled;
      return state == null ? connection : connection.contextWrite(Context.of(KEY, state));
    });
  }

  /**
   * The body the app sends: for an LLM call, gathered, admitted, and sent as one buffer of the same bytes (or the
   * call refused before anything is written); anything else untouched.
   */
  public static Publisher<? extends ByteBuf> body(Object operations, Publisher<? extends ByteBuf> body) {
    Call call = body == null ? null : recognised(operations);
    if (call == null) {
      return body;
    }
    return Flux.from(body)
        .collectList()
        .flatMap(buffers -> {
          int length = 0;
          for (ByteBuf b : buffers) {
            length += b.readableBytes();
          }
          byte[] bytes = length <= LlmHttpClient.MAX_INSPECTED_BODY ? new byte[length] : null;
          int at = 0;
          for (ByteBuf b : buffers) {
            int n = b.readableBytes();
            if (bytes != null) {
              b.getBytes(b.readerIndex(), bytes, at, n);
            }
            at += n;
          }
          Object answer = admit(call, bytes, length);
          if (answer instanceof BlockedCall) {
            for (ByteBuf b : buffers) {
              b.release();
            }
            CALLS.remove(operations);
            return Mono.error(new LlmCallRefusedException((BlockedCall) answer));
          }
          if (answer instanceof LlmExchange) {
            call.exchange = (LlmExchange) answer;
          }
          return Mono.just(buffers.size() == 1 ? buffers.get(0)
              : Unpooled.wrappedBuffer(buffers.toArray(new ByteBuf[0])));
        });
  }

  /**
   * The request of {@code operations} (method and URL set, on the event loop), remembered when it is an LLM call
   * that no outer layer governs; null otherwise. Each attempt (a redirect, a retry) is a request of its own.
   */
  private static Call recognised(Object operations) {
    try {
      HttpClientInfos request = (HttpClientInfos) operations;
      ContextView context = request.currentContextView();
      Object state = context.getOrDefault(KEY, null);
      if (state == OUTER || context.hasKey(AZURE_GOVERNED)) {
        return null;
      }
      String method = request.method().name();
      String uri = request.resourceUrl();
      if (!Guard.llmRecognized(method, uri)) { // by method and URL alone: no run needed
        return null;
      }
      Call call = new Call(method, uri, state);
      CALLS.put(operations, call);
      return call;
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static Object admit(Call call, byte[] body, long length) {
    Object token = call.runCarrier == null ? null : Guard.runResume(call.runCarrier);
    try {
      return Guard.llmEnter(CLIENT, call.method, call.uri, body, length);
    } finally {
      Guard.runRelease(token, false, null);
    }
  }

  /** A message the connection reads ({@code onInboundNext}): the response head and body of an admitted call. */
  public static void inbound(Object operations, Object message) {
    Call call = CALLS.isEmpty() ? null : CALLS.get(operations);
    if (call == null || call.exchange == null || call.ended) {
      return;
    }
    try {
      if (message instanceof HttpResponse) {
        HttpResponse response = (HttpResponse) message;
        Guard.llmResponse(call.exchange, response.status().code(),
            response.headers().get(HttpHeaderNames.CONTENT_TYPE),
            response.headers().get(HttpHeaderNames.CONTENT_ENCODING));
        if (!LlmHttpClient.hasBody(call.method, response.status().code())) {
          finished(operations, call, true, null);
          return;
        }
      }
      if (message instanceof HttpContent) {
        ByteBuf content = ((HttpContent) message).content();
        if (content.isReadable()) {
          Guard.llmBytes(call.exchange, content.nioBuffer(content.readerIndex(), content.readableBytes()));
        }
      }
      if (message instanceof LastHttpContent) {
        finished(operations, call, true, null);
      }
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
  }

  /** The connection's inbound closed, was cancelled, or its send failed: an admitted call not yet ended ends. */
  public static void closed(Object operations, Throwable error) {
    Call call = CALLS.isEmpty() ? null : CALLS.get(operations);
    if (call != null && call.exchange != null) {
      finished(operations, call, false, error);
    }
  }

  private static void finished(Object operations, Call call, boolean complete, Throwable error) {
    call.end(complete, error);
    CALLS.remove(operations, call);
  }
}
