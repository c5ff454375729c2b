package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * LLM calls through the Quarkus REST client: admitted before the send handler gives them to Vert.x, their exchange
 * handed to the Vert.x response once it arrives. A helper class, defined into the loader of the REST client; the
 * agent never loads it. Everything of ours here contains its own exceptions (counted by {@link Guard#suppressed}):
 * when it fails, the call goes on as if the agent were not there.
 */
public final class QuarkusRestLlmCalls extends LlmHttpClient<RestClientRequestContext, Object> {
  static final String CLIENT = "quarkus-rest-client";
  private static final QuarkusRestLlmCalls INSTANCE = new QuarkusRestLlmCalls();
  /** Admitted calls waiting for their response, by request context (identity: it keeps Object's equals). */
  private static final Map<RestClientRequestContext, Admitted<RestClientRequestContext, Object>> PENDING =
      new ConcurrentHashMap<>();

  private QuarkusRestLlmCalls() {
    super(CLIENT);
  }

  /**
   * The request is about to be sent. An LLM call is admitted (its exchange waits for the response) or refused:
   * then the context is aborted with the provider-format error, as a {@code ClientRequestFilter.abortWith} would,
   * and the send handler sends nothing; the REST client turns that response into the provider client's own error.
   */
  public static void sending(RestClientRequestContext context) {
    try {
      if (context == null || context.isAborted() || context.getUri() == null || !Guard.installed()) {
        return;
      }
      // the chain may run here on a Vert.x event loop: the run that called the REST client was lent to the request
      Object resumed = Guard.runResume(context);
      Admitted<RestClientRequestContext, Object> admitted;
      try {
        admitted = INSTANCE.admit(context);
      } finally {
        Guard.runRelease(resumed, false, null);
      }
      if (admitted != null && admitted.exchange != null) {
        Admitted<RestClientRequestContext, Object> previous = PENDING.put(context, admitted);
        if (previous != null) { // the chain sent the same request again (a redirect): the first got no response
          Guard.llmEnd(previous.exchange, false, null);
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
    Admitted<RestClientRequestContext, Object> admitted = PENDING.remove(context);
    if (admitted != null) {
      INSTANCE.respond(admitted, response, null);
    }
  }

  /** The request is over: a call still waiting for its response got none (it failed before one came). */
  public static void closed(RestClientRequestContext context) {
    if (PENDING.isEmpty()) {
      return;
    }
    Admitted<RestClientRequestContext, Object> admitted = PENDING.remove(context);
    if (admitted != null) {
      Guard.llmEnd(admitted.exchange, false, null);
    }
  }

  @Override
  protected String method(RestClientRequestContext context) {
    return context.getHttpMethod();
  }

  @Override
  protected String uri(RestClientRequestContext context) {
    return context.getUri().toString();
  }

  @Override
  protected long bodyLength(RestClientRequestContext context) {
    return context.getEntity() == null ? 0 : -1;
  }

  /**
   * The entity is written through the REST client's own message body writer into a copy (of the headers, without
   * the app's writer interceptors, which may log), which the send handler does again. Streamed and multipart
   * bodies would be consumed: those are governed without their body.
   */
  @Override
  protected boolean bodyRepeatable(RestClientRequestContext context) {
    return !(context.isMultipart() || context.isFileUpload() || context.isInputStreamUpload()
        || context.isMultiBufferUpload());
  }

  @Override
  protected void writeBody(RestClientRequestContext context, OutputStream out) throws Exception {
    Entity<?> entity = context.getEntity();
    Buffer buffer = context.writeEntity(entity, new MultivaluedHashMap<>(context.getRequestHeadersAsMap()), null);
    if (buffer != null) {
      out.write(buffer.getBytes());
    }
  }

  @Override
  protected int status(Object response) {
    return ((HttpClientResponse) response).statusCode();
  }

  @Override
  protected String header(Object response, String name) {
    return ((HttpClientResponse) response).getHeader(name);
  }

  /** Aborts the context (nothing is sent); the context itself says the call was answered. */
  @Override
  protected Object refusal(RestClientRequestContext context, BlockedCall blocked) {
    abort(context, blocked);
    return context;
  }

  @Override
  protected Object metered(RestClientRequestContext context, Object response, LlmExchange exchange) {
    VertxResponseMeter.bind((HttpClientResponse) response, exchange);
    return response;
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
    context.setResponseReasonPhrase(reason(blocked.status()));
    // the body, for the response filters that run before the chain copies the abort's entity over (the MicroProfile
    // client's exception mappers read it there)
    context.setResponseEntityStream(new ByteArrayInputStream(blocked.body()));
    context.setAbortedWith(response);
  }
}
