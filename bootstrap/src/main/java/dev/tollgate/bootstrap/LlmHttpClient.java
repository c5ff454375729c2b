package dev.tollgate.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/**
 * The one template every HTTP-client instrumentation governs LLM calls through. A client supplies what only it
 * knows: how to read its request (method, URI, body length, whether the body can be written twice, how to write
 * it, how to send the same bytes again) and its response (status, headers), and the two shapes of its answer — a
 * refusal built from the {@link BlockedCall}, and a response whose body passes through the {@link LlmExchange}.
 * Everything else lives here once: which bodies are read for inspection and the size cap, reading a one-shot body
 * ahead and sending those same bytes (only a request that is an LLM call has its body touched at all), admission, the decision to meter
 * or not, and ending the exchange on every failure path.
 *
 * <p>Subclasses are helper classes defined into the client's own class loader (they link against its types);
 * this class is in the boot loader. Every method contains the agent's exceptions (counted by
 * {@link Guard#suppressed}): when governing fails the request goes on as if the agent were not there.
 *
 * @param <Q> the client's request type
 * @param <R> the client's response type (for an asynchronous client, what the send returns)
 */
public abstract class LlmHttpClient<Q, R> {
  /**
   * Request bodies longer than this are not copied for inspection: the call is governed by the declared length
   * alone (a prompt of this size is priced from its length).
   */
  public static final long MAX_INSPECTED_BODY = 32L * 1024 * 1024;

  private final String client;

  /** @param client the name the log reports, e.g. {@code okhttp}, {@code apache-httpclient5} */
  protected LlmHttpClient(String client) {
    this.client = client;
  }

  /** The name the log reports. */
  public final String client() {
    return client;
  }

  // ---- what a client supplies: its request

  protected abstract String method(Q request) throws Exception;

  /** The absolute request URI (never logged with its query string). */
  protected abstract String uri(Q request) throws Exception;

  /** The body's length: 0 when there is no body, -1 when unknown. */
  protected abstract long bodyLength(Q request) throws Exception;

  /** Whether the body can be written again after we write it once (then it is read without touching the request). */
  protected abstract boolean bodyRepeatable(Q request) throws Exception;

  /** Writes the request's body into {@code out}. */
  protected abstract void writeBody(Q request, OutputStream out) throws Exception;

  /**
   * Whether this client can send a copy of {@code request} carrying bytes read ahead ({@link #withBody}). When it
   * cannot, a one-shot body is never written by us, and such a call is governed by its length.
   */
  protected boolean canResend(Q request) throws Exception {
    return false;
  }

  /** The request to send instead of one whose one-shot body was written ahead into {@code body}. */
  protected Q withBody(Q request, byte[] body) throws Exception {
    throw new UnsupportedOperationException(client + " cannot resend a request body");
  }

  // ---- what a client supplies: its response and the two shapes of its answer

  protected abstract int status(R response) throws Exception;

  /** The first value of a response header, or null. */
  protected abstract String header(R response, String name) throws Exception;

  /** The client's answer to a refused call: the provider-format error {@code blocked} carries, nothing sent. */
  protected abstract R refusal(Q request, BlockedCall blocked) throws Exception;

  /** The response the app reads instead of {@code response}: its body shown to {@code exchange} as it passes. */
  protected abstract R metered(Q request, R response, LlmExchange exchange) throws Exception;

  // ---- the template

  /**
   * What {@link #admit} decided. {@link #refusal} set: answer with it, send nothing. Otherwise send
   * {@link #request} (the app's request, or a copy carrying the bytes of a one-shot body read ahead) and, when
   * {@link #exchange} is set, hand its response to {@link #respond}. {@link #unreadable} set: the app's own
   * one-shot body failed to write; the client fails the call with that error, as it would have when sending.
   */
  public static final class Admitted<Q, R> {
    public final Q request;
    public final LlmExchange exchange;
    public final R refusal;
    public final Exception unreadable;

    Admitted(Q request, LlmExchange exchange, R refusal, Exception unreadable) {
      this.request = request;
      this.exchange = exchange;
      this.refusal = refusal;
      this.unreadable = unreadable;
    }
  }

  /**
   * Admits {@code request} before it is sent. Null when the request is left alone: not an LLM call, the agent is
   * off, another instrumented layer already governs it on this thread, or reading it failed here.
   */
  public final Admitted<Q, R> admit(Q request) {
    if (request == null || !Guard.installed()) {
      return null;
    }
    try {
      String method = method(request);
      String uri = uri(request);
      if (!Guard.llmRecognized(method, uri)) {
        return null; // not an LLM call (or governed by an outer layer): no body is touched
      }
      long length = bodyLength(request);
      Q send = request;
      byte[] body = null;
      if (length == 0) {
        body = new byte[0];
      } else if (length <= MAX_INSPECTED_BODY) {
        if (bodyRepeatable(request)) {
          try {
            body = written(request, MAX_INSPECTED_BODY);
          } catch (Exception e) {
            // the app's body is at fault, not the agent: it fails the same way when sent; governed by length
            body = null;
          }
        } else if (canResend(request)) {
          // a one-shot body of an LLM call: write it once (all of it: it cannot be written again), send those bytes
          try {
            body = written(request, Long.MAX_VALUE);
          } catch (Exception e) {
            return new Admitted<>(request, null, null, e);
          }
          send = withBody(request, body);
        }
      }
      if (body != null) {
        length = body.length;
      }
      Object answer = Guard.llmEnter(client, method, uri, body, length);
      if (answer instanceof BlockedCall) {
        R refusal = refusal(request, (BlockedCall) answer);
        return refusal == null ? null : new Admitted<>(send, null, refusal, null);
      }
      if (answer instanceof LlmExchange) {
        return new Admitted<>(send, (LlmExchange) answer, null, null);
      }
      return send == request ? null : new Admitted<>(send, null, null, null);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /**
   * The response the app gets for an admitted call: {@code response} with its body metered, or {@code response}
   * itself when it has no body (the exchange ends now) or the send failed ({@code thrown}; the reservation is
   * released).
   */
  public final R respond(Admitted<Q, R> admitted, R response, Throwable thrown) {
    LlmExchange exchange = admitted == null ? null : admitted.exchange;
    if (exchange == null) {
      return response;
    }
    if (thrown != null || response == null) {
      Guard.llmEnd(exchange, false, thrown);
      return response;
    }
    try {
      int status = status(response);
      Guard.llmResponse(exchange, status, header(response, "Content-Type"), header(response, "Content-Encoding"));
      if (!hasBody(method(admitted.request), status) || "0".equals(header(response, "Content-Length"))) {
        Guard.llmEnd(exchange, true, null);
        return response;
      }
      R metered = metered(admitted.request, response, exchange);
      if (metered == null) {
        Guard.llmEnd(exchange, true, null);
        return response;
      }
      return metered;
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
      return response;
    }
  }

  /** A response to {@code method} with {@code status} has a body to meter (RFC 9110: not HEAD, 1xx, 204, 304). */
  public static boolean hasBody(String method, int status) {
    return !"HEAD".equals(method) && status != 204 && status != 304 && (status < 100 || status >= 200);
  }

  /** The reason phrase a refusal's status line carries. */
  public static String reason(int status) {
    switch (status) {
      case 400:
        return "Bad Request";
      case 402:
        return "Payment Required";
      case 403:
        return "Forbidden";
      case 429:
        return "Too Many Requests";
      default:
        return "Blocked";
    }
  }

  /** The body written into memory; null when it turns out longer than {@code cap} (its length was unknown). */
  private byte[] written(Q request, long cap) throws Exception {
    Capped out = new Capped(cap);
    try {
      writeBody(request, out);
    } catch (Capped.Full full) {
      return null;
    }
    return out.toByteArray();
  }

  /** An in-memory body that refuses to grow past its cap. */
  private static final class Capped extends ByteArrayOutputStream {
    private final long cap;

    Capped(long cap) {
      super(1024);
      this.cap = cap;
    }

    @Override
    public void write(int b) {
      room(1);
      super.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      room(len);
      super.write(b, off, len);
    }

    private void room(int more) {
      if (count + (long) more > cap) {
        throw new Full();
      }
    }

    static final class Full extends RuntimeException {
      Full() {
        super("request body longer than the inspection cap", null, false, false);
      }
    }
  }
}
