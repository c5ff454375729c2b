package dev.tollgate.agent.instrumentation.apachehttp.v5;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import dev.tollgate.bootstrap.MeteredInputStream;
import java.io.OutputStream;
import java.util.Map;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * Apache HttpClient 5 classic's side of the {@link LlmHttpClient} template, for the advice on
 * {@code doExecute(HttpHost, ClassicHttpRequest, HttpContext)}: a request is its target host and message; a
 * one-shot entity read ahead is replaced in place by a byte-array entity of the same type, encoding and chunking;
 * the refusal is a {@code BasicClassicHttpResponse}; the metered body wraps the (already decompressed) entity's
 * stream. A helper class, defined into the loader of each woven client.
 */
public final class ApacheLlmCalls extends LlmHttpClient<ApacheLlmCalls.Target, CloseableHttpResponse> {
  private static final ApacheLlmCalls INSTANCE = new ApacheLlmCalls();

  private ApacheLlmCalls() {
    super("apache-httpclient5");
  }

  /** The request as {@code doExecute} receives it: its message may carry a path only, the host beside it. */
  public static final class Target {
    final HttpHost host;
    final ClassicHttpRequest request;

    Target(HttpHost host, ClassicHttpRequest request) {
      this.host = host;
      this.request = request;
    }
  }

  /** The answer the advice returns instead of executing: a refusal, or the app's one-shot body's own failure. */
  public static final class Answer {
    final CloseableHttpResponse response;
    final Exception failure;

    Answer(CloseableHttpResponse response, Exception failure) {
      this.response = response;
      this.failure = failure;
    }
  }

  /** Null (execute untouched), an {@link Answer} (skip executing), or the admitted call (execute, then exit). */
  public static Object enter(HttpHost host, ClassicHttpRequest request) {
    if (request == null) {
      return null;
    }
    Admitted<Target, CloseableHttpResponse> admitted = INSTANCE.admit(new Target(host, request));
    if (admitted == null) {
      return null;
    }
    if (admitted.refusal != null || admitted.unreadable != null) {
      return new Answer(admitted.refusal, admitted.unreadable);
    }
    return admitted;
  }

  /** The response the app gets; {@code entered} is what {@link #enter} returned. */
  @SuppressWarnings("unchecked")
  public static CloseableHttpResponse exit(Object entered, CloseableHttpResponse response, Throwable thrown) {
    if (entered instanceof Answer) {
      return ((Answer) entered).response;
    }
    if (entered instanceof Admitted) {
      return INSTANCE.respond((Admitted<Target, CloseableHttpResponse>) entered, response, thrown);
    }
    return response;
  }

  /** The failure to throw instead of executing (the app's one-shot body failed to write), or null. */
  public static Throwable failure(Object entered) {
    return entered instanceof Answer ? ((Answer) entered).failure : null;
  }

  @Override
  protected String method(Target t) {
    return t.request.getMethod();
  }

  @Override
  protected String uri(Target t) throws Exception {
    String uri = t.request.getUri().toString();
    if (!uri.startsWith("http") && t.host != null) {
      uri = t.host.toURI() + t.request.getRequestUri();
    }
    return uri;
  }

  @Override
  protected long bodyLength(Target t) {
    HttpEntity entity = t.request.getEntity();
    return entity == null ? 0 : entity.getContentLength();
  }

  @Override
  protected boolean bodyRepeatable(Target t) {
    return t.request.getEntity().isRepeatable();
  }

  @Override
  protected void writeBody(Target t, OutputStream out) throws Exception {
    t.request.getEntity().writeTo(out);
  }

  @Override
  protected boolean canResend(Target t) {
    return true;
  }

  @Override
  protected Target withBody(Target t, byte[] body) {
    HttpEntity entity = t.request.getEntity();
    t.request.setEntity(new ByteArrayEntity(body,
        entity.getContentType() == null ? null : ContentType.parse(entity.getContentType()),
        entity.getContentEncoding(), entity.isChunked()));
    return t;
  }

  @Override
  protected int status(CloseableHttpResponse response) {
    return response.getCode();
  }

  /** Content type and encoding are the entity's: the client has decompressed it and says so there. */
  @Override
  protected String header(CloseableHttpResponse response, String name) {
    HttpEntity entity = response.getEntity();
    if ("Content-Type".equals(name)) {
      return entity == null ? null : entity.getContentType();
    }
    if ("Content-Encoding".equals(name)) {
      return entity == null ? null : entity.getContentEncoding();
    }
    Header header = response.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  @Override
  protected CloseableHttpResponse refusal(Target t, BlockedCall blocked) {
    BasicClassicHttpResponse synthetic = new BasicClassicHttpResponse(blocked.status(), reason(blocked.status()));
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      synthetic.addHeader(h.getKey(), h.getValue());
    }
    synthetic.setEntity(new ByteArrayEntity(blocked.body(), ContentType.APPLICATION_JSON));
    return CloseableHttpResponse.adapt(synthetic);
  }

  @Override
  protected CloseableHttpResponse metered(Target t, CloseableHttpResponse response, LlmExchange exchange)
      throws Exception {
    HttpEntity entity = response.getEntity();
    if (entity == null) {
      return null;
    }
    response.setEntity(new InputStreamEntity(new MeteredInputStream(entity.getContent(), exchange),
        entity.getContentLength(),
        entity.getContentType() == null ? null : ContentType.parse(entity.getContentType()),
        entity.getContentEncoding()));
    return response;
  }
}
