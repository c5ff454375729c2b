package dev.tollgate.agent.instrumentation.okhttp;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.OutputStream;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;
import okio.Okio;

/**
 * OkHttp's side of the {@link LlmHttpClient} template: its request and response getters, its refusal (a
 * {@code Response} built without touching the network) and its metered body ({@link MeteredSource}). A helper
 * class, defined into the loader of each {@code OkHttpClient}, like {@link TollgateInterceptor}.
 */
final class OkHttpLlmCalls extends LlmHttpClient<Request, Response> {
  static final OkHttpLlmCalls INSTANCE = new OkHttpLlmCalls();

  private OkHttpLlmCalls() {
    super("okhttp");
  }

  @Override
  protected String method(Request request) {
    return request.method();
  }

  @Override
  protected String uri(Request request) {
    return request.url().toString();
  }

  @Override
  protected long bodyLength(Request request) throws Exception {
    RequestBody body = request.body();
    return body == null ? 0 : body.contentLength();
  }

  /** OkHttp bodies may be written more than once unless they say they are one-shot or duplex. */
  @Override
  protected boolean bodyRepeatable(Request request) {
    RequestBody body = request.body();
    return body != null && !body.isOneShot() && !body.isDuplex();
  }

  @Override
  protected void writeBody(Request request, OutputStream out) throws Exception {
    BufferedSink sink = Okio.buffer(Okio.sink(out));
    request.body().writeTo(sink);
    sink.flush();
  }

  /** A duplex body is written while the response streams: it cannot be read ahead. */
  @Override
  protected boolean canResend(Request request) {
    RequestBody body = request.body();
    return body != null && !body.isDuplex();
  }

  @Override
  protected Request withBody(Request request, byte[] body) {
    return request.newBuilder().method(request.method(), RequestBody.create(body, request.body().contentType()))
        .build();
  }

  @Override
  protected int status(Response response) {
    return response.code();
  }

  @Override
  protected String header(Response response, String name) {
    return response.header(name);
  }

  @Override
  protected Response refusal(Request request, BlockedCall blocked) {
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
  }

  /** In 4.x a response may have no body object; in 5.x it always has one (maybe empty). */
  @Override
  protected Response metered(Request request, Response response, LlmExchange exchange) {
    ResponseBody body = response.body();
    if (body == null || body.contentLength() == 0) {
      return null;
    }
    long length = body.contentLength();
    MeteredSource source = new MeteredSource(body.source(), exchange, length);
    return response.newBuilder().body(ResponseBody.create(Okio.buffer(source), body.contentType(), length)).build();
  }
}
