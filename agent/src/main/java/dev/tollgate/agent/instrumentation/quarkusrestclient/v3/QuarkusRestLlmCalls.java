package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * LLM calls through the Quarkus REST client: admitted before the send handler gives them to Vert.x, their exchange
 * handed to the Vert.x response once it arrives. A helper class, defined into the loader of the REST client; the
 * agent never loads it. Everything of ours here contains its own exceptions (counted by {@link Guard#suppressed}):
 * when it fails, the call goes on as if the agent were not there.
 */
public final class QuarkusRestLlmCalls {
  static final String CLIENT = "quarkus-rest-client";
  /** Request bodies larger than this are not copied for inspection. */
  private static final int MAX_INSPECTED_BODY = 32 * 1024 * 1024;
  /** Admitted calls waiting for their response, by request context (identity: it keeps Object's equals). */
  private static final Map<RestClientRequestContext, LlmExchange> PENDING = new ConcurrentHashMap<>();

  private QuarkusRestLlmCalls() {}

  /**
   * The request is about to be sent. An LLM call is admitted (its exchange waits for the response) or refused:
   * then the context is aborted with the provider-format error, as a {@code ClientRequestFilter.abortWith} would,
   * and the send handler sends nothing; the REST client turns that response into the provider client's own error.
   */
  public static void admit(RestClientRequestContext context) {
    try {
      if (context.isAborted() || !Guard.installed()) {
        return;
      }
      URI uri = context.getUri();
      String method = context.getHttpMethod();
      if (uri == null || !Guard.llmRecognized(method, uri.toString())) {
        return;
      }
      byte[] body = body(context);
      // the chain may run here on a Vert.x event loop: the run that called the REST client was lent to the request
      Object resumed = Guard.runResume(context);
      Object answer;
      try {
        answer = Guard.llmEnter(CLIENT, method, uri.toString(), body, body == null ? -1 : body.length);
      } finally {
        Guard.runRelease(resumed, false, null);
      }
      if (answer instanceof BlockedCall) {
        abort(context, (BlockedCall) answer);
      } else if (answer instanceof LlmExchange) {
        LlmExchange previous = PENDING.put(context, (LlmExchange) answer);
        if (previous != null) { // the chain sent the same request again (a redirect): the first got no response
          Guard.llmEnd(previous, false, null);
        }
      }
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
  }

  /** The response arrived: its body is metered as Vert.x receives it. */
  public static void responded(RestClientRequestContext context, HttpClientResponse response) {
    if (PENDING.isEmpty()) {
      return;
    }
    LlmExchange exchange = PENDING.remove(context);
    if (exchange == null) {
      return;
    }
    try {
      Guard.llmResponse(exchange, response.statusCode(), response.getHeader("Content-Type"),
          response.getHeader("Content-Encoding"));
      VertxResponseMeter.bind(response, exchange);
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
    }
  }

  /** The request is over: a call still waiting for its response got none (it failed before one came). */
  public static void closed(RestClientRequestContext context) {
    if (PENDING.isEmpty()) {
      return;
    }
    LlmExchange exchange = PENDING.remove(context);
    if (exchange != null) {
      Guard.llmEnd(exchange, false, null);
    }
  }

  /**
   * The bytes the send handler will write: the entity through the REST client's own message body writer (into a
   * copy of the headers, without the app's writer interceptors, which may log). Null for streamed and multipart
   * bodies, which would be consumed, and when writing fails: the call is then governed without its body.
   */
  private static byte[] body(RestClientRequestContext context) {
    Entity<?> entity = context.getEntity();
    if (entity == null) {
      return new byte[0];
    }
    if (context.isMultipart() || context.isFileUpload() || context.isInputStreamUpload()
        || context.isMultiBufferUpload()) {
      return null;
    }
    try {
      Buffer buffer = context.writeEntity(entity, new MultivaluedHashMap<>(context.getRequestHeadersAsMap()), null);
      return buffer == null || buffer.length() > MAX_INSPECTED_BODY ? null : buffer.getBytes();
    } catch (Exception e) {
      return null;
    }
  }

  private static void abort(RestClientRequestContext context, BlockedCall blocked) {
    Response.ResponseBuilder builder = Response.status(blocked.status());
    String type = "application/json";
    for (Map.Entry<String, String> header : blocked.headers().entrySet()) {
      if (header.getKey().equals("content-type")) {
        type = header.getValue();
      } else {
        builder.header(header.getKey(), header.getValue());
      }
    }
    Response response = builder.entity(blocked.body()).type(type).build();
    context.setResponseStatus(blocked.status());
    context.setResponseHeaders(response.getStringHeaders());
    context.setResponseReasonPhrase(blocked.status() == 402 ? "Payment Required" : "Blocked");
    // the body, for the response filters that run before the chain copies the abort's entity over (the MicroProfile
    // client's exception mappers read it there)
    context.setResponseEntityStream(new ByteArrayInputStream(blocked.body()));
    context.setAbortedWith(response);
  }
}
