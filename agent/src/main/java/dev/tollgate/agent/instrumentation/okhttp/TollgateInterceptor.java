package dev.tollgate.agent.instrumentation.okhttp;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.Okio;

/**
 * The application interceptor every {@code OkHttpClient} gets at index 0 of its interceptors: it runs once per
 * call, before the app's own interceptors, google-genai's {@code RetryInterceptor} and OkHttp's retries and
 * redirects, and sees bodies after OkHttp's transparent gunzip.
 *
 * <p>A helper class: defined from the agent's bytes into each class loader that loads {@code OkHttpClient}, so it
 * links against that loader's OkHttp; the agent never loads it itself. Everything here that is ours contains its
 * own exceptions (counted by {@link Guard#suppressed}): when metering fails the call goes on as if we were not
 * there. Exceptions of the call itself reach the app as they are.
 */
public final class TollgateInterceptor implements Interceptor {
  static final String CLIENT = "okhttp";
  /** Request bodies larger than this are not copied for inspection; the length alone is used. */
  static final long MAX_INSPECTED_BODY = 32L * 1024 * 1024;
  private static final TollgateInterceptor INSTANCE = new TollgateInterceptor();

  private TollgateInterceptor() {}

  /**
   * Called by the advice on {@code OkHttpClient(Builder)} with the builder's live interceptor list: adds the
   * interceptor at index 0 unless it is there already ({@code newBuilder()} copies the interceptors of the client
   * it came from).
   */
  public static void addTo(List<Interceptor> interceptors) {
    if (interceptors == null) {
      return;
    }
    for (Interceptor interceptor : interceptors) {
      if (interceptor instanceof TollgateInterceptor) {
        return;
      }
    }
    interceptors.add(0, INSTANCE);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!Guard.installed()) {
      return chain.proceed(request);
    }
    if (Guard.llmOuterResume(request)) {
      // an outer layer (azure-core's pipeline) governs this enqueued call: it was counted there
      try {
        return chain.proceed(request);
      } finally {
        Guard.llmOuterExit();
      }
    }
    // an enqueued call runs here on OkHttp's dispatcher: the run that sent it was lent to its request
    Object resumed = Guard.runResume(request);
    Object answer;
    try {
      answer = enter(request);
    } finally {
      Guard.runRelease(resumed, false, null);
    }
    if (answer instanceof BlockedCall) {
      Response blocked = blocked(request, (BlockedCall) answer);
      if (blocked != null) {
        return blocked; // nothing reaches the network
      }
    }
    if (!(answer instanceof LlmExchange)) {
      return chain.proceed(request);
    }
    LlmExchange exchange = (LlmExchange) answer;
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException | RuntimeException | Error e) {
      Guard.llmEnd(exchange, false, e);
      throw e;
    }
    return metered(request, response, exchange);
  }

  private static Object enter(Request request) {
    try {
      RequestBody body = request.body();
      long length = body == null ? 0 : body.contentLength();
      byte[] bytes = body == null ? new byte[0] : readRepeatable(body, length);
      return Guard.llmEnter(CLIENT, request.method(), request.url().toString(), bytes, length);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /**
   * The request body's bytes, written into a buffer of our own: OkHttp bodies may be written more than once
   * unless they say they are one-shot or duplex. Null when they do, when the length is unknown or too large to
   * copy, or when writing fails (the app's body is at fault then, not the agent: nothing is counted as
   * suppressed and the call is still governed, by its length).
   */
  private static byte[] readRepeatable(RequestBody body, long length) {
    if (body.isOneShot() || body.isDuplex() || length < 0 || length > MAX_INSPECTED_BODY) {
      return null;
    }
    try {
      Buffer buffer = new Buffer();
      body.writeTo(buffer);
      return buffer.readByteArray();
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * The response with its body metered on its way to the app, or as it is when it has no body to read. Failing
   * here ends the exchange and hands the app the response untouched.
   */
  private static Response metered(Request request, Response response, LlmExchange exchange) {
    try {
      Guard.llmResponse(exchange, response.code(), response.header("Content-Type"),
          response.header("Content-Encoding"));
      ResponseBody body = response.body();
      if (body == null || !hasContent(request, response, body)) {
        Guard.llmEnd(exchange, true, null);
        return response;
      }
      long length = body.contentLength();
      MeteredSource source = new MeteredSource(body.source(), exchange, length);
      return response.newBuilder()
          .body(ResponseBody.create(Okio.buffer(source), body.contentType(), length))
          .build();
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
      return response;
    }
  }

  private static boolean hasContent(Request request, Response response, ResponseBody body) {
    int code = response.code();
    return !"HEAD".equals(request.method()) && code != 204 && code != 304 && (code < 100 || code >= 200)
        && body.contentLength() != 0;
  }

  /** The blocked call's answer as an OkHttp response, or null (the call goes on) if building it fails. */
  private static Response blocked(Request request, BlockedCall blocked) {
    try {
      byte[] body = blocked.body();
      long now = System.currentTimeMillis();
      Response.Builder response = new Response.Builder()
          .request(request)
          .protocol(Protocol.HTTP_1_1)
          .code(blocked.status())
          .message(reason(blocked.status()))
          .sentRequestAtMillis(now)
          .receivedResponseAtMillis(now);
      for (Map.Entry<String, String> header : blocked.headers().entrySet()) {
        response.header(header.getKey(), header.getValue());
      }
      response.header("content-length", Integer.toString(body.length));
      String type = blocked.headers().get("content-type");
      MediaType mediaType = MediaType.parse(type != null ? type : "application/json");
      return response.body(ResponseBody.create(body, mediaType)).build();
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static String reason(int status) {
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
}
