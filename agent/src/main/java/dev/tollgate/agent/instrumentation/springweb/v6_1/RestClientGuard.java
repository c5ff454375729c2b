package dev.tollgate.agent.instrumentation.springweb.v6_1;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.OutputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * What the advice on {@code ClientHttpRequest.executeInternal} calls: Spring's side of the {@link LlmHttpClient}
 * template (a buffering request's bytes, or a streaming request's body, which may be one-shot and is then written
 * once into a {@link CapturedBody}; the refusal {@link BlockedClientHttpResponse}; the metered
 * {@link MeteredClientHttpResponse}). While an admitted call runs, the thread is marked as governed, so the
 * transport underneath (the JDK client, Apache HttpClient, OkHttp) leaves it to this frame. A helper class, defined
 * into the loader of each woven Spring request class; contains its own exceptions.
 */
public final class RestClientGuard extends LlmHttpClient<RestClientGuard.Outgoing, ClientHttpResponse> {
  static final String CLIENT = "spring-restclient";
  private static final RestClientGuard INSTANCE = new RestClientGuard();

  private RestClientGuard() {
    super(CLIENT);
  }

  /** A request with the body it is executed with: bytes (buffering requests) or a body to write (streaming). */
  public static final class Outgoing {
    final ClientHttpRequest request;
    final byte[] bytes;
    final StreamingHttpOutputMessage.Body body;

    Outgoing(ClientHttpRequest request, byte[] bytes, StreamingHttpOutputMessage.Body body) {
      this.request = request;
      this.bytes = bytes;
      this.body = body;
    }
  }

  /** A buffering request: null (execute untouched), the admitted call, or the response to answer with instead. */
  public static Object enter(ClientHttpRequest request, byte[] body) {
    return entered(INSTANCE.admit(new Outgoing(request, body == null ? new byte[0] : body, null)));
  }

  /** A streaming request: as {@link #enter(ClientHttpRequest, byte[])}; then ask {@link #body} what to send. */
  public static Object enterStreaming(ClientHttpRequest request, StreamingHttpOutputMessage.Body body) {
    return entered(INSTANCE.admit(new Outgoing(request, null, body)));
  }

  /** The body to execute with: the app's, or the bytes of a one-shot body written ahead (or its replayed failure). */
  public static StreamingHttpOutputMessage.Body body(Object entered, StreamingHttpOutputMessage.Body body) {
    if (entered instanceof Admitted) {
      StreamingHttpOutputMessage.Body sent = ((Admitted<?, ?>) entered).request instanceof Outgoing
          ? ((Outgoing) ((Admitted<?, ?>) entered).request).body : null;
      return sent != null ? sent : body;
    }
    if (entered instanceof Exception) {
      return CapturedBody.failed((Exception) entered);
    }
    return body;
  }

  private static Object entered(Admitted<Outgoing, ClientHttpResponse> admitted) {
    if (admitted == null) {
      return null;
    }
    if (admitted.refusal != null) {
      return admitted.refusal;
    }
    if (admitted.unreadable != null) {
      // the app's body failed to write: the connector fails the same way when it writes it (not governed: not sent)
      return admitted.unreadable;
    }
    if (admitted.exchange != null) {
      Guard.llmOuterEnter();
    }
    return admitted;
  }

  /** The response the app gets: the refusal, or the connector's response with its body metered. */
  @SuppressWarnings("unchecked")
  public static ClientHttpResponse exit(Object entered, ClientHttpResponse response, Throwable thrown) {
    if (entered instanceof ClientHttpResponse) {
      return (ClientHttpResponse) entered;
    }
    if (!(entered instanceof Admitted)) {
      return response;
    }
    Admitted<Outgoing, ClientHttpResponse> admitted = (Admitted<Outgoing, ClientHttpResponse>) entered;
    if (admitted.exchange != null) {
      Guard.llmOuterExit();
    }
    return INSTANCE.respond(admitted, response, thrown);
  }

  @Override
  protected String method(Outgoing o) {
    return o.request.getMethod().name();
  }

  @Override
  protected String uri(Outgoing o) {
    return o.request.getURI().toString();
  }

  @Override
  protected long bodyLength(Outgoing o) {
    if (o.bytes != null) {
      return o.bytes.length;
    }
    return o.body == null ? 0 : o.request.getHeaders().getContentLength();
  }

  @Override
  protected boolean bodyRepeatable(Outgoing o) {
    return o.bytes != null || o.body.repeatable();
  }

  @Override
  protected void writeBody(Outgoing o, OutputStream out) throws Exception {
    if (o.bytes != null) {
      out.write(o.bytes);
    } else {
      o.body.writeTo(out);
    }
  }

  @Override
  protected boolean canResend(Outgoing o) {
    return o.body != null;
  }

  @Override
  protected Outgoing withBody(Outgoing o, byte[] body) {
    return new Outgoing(o.request, null, CapturedBody.of(body));
  }

  @Override
  protected int status(ClientHttpResponse response) throws Exception {
    return response.getStatusCode().value();
  }

  @Override
  protected String header(ClientHttpResponse response, String name) {
    return response.getHeaders().getFirst(name);
  }

  @Override
  protected ClientHttpResponse refusal(Outgoing o, BlockedCall blocked) {
    return new BlockedClientHttpResponse(blocked);
  }

  @Override
  protected ClientHttpResponse metered(Outgoing o, ClientHttpResponse response, LlmExchange exchange) {
    return new MeteredClientHttpResponse(response, exchange, response.getHeaders().getContentLength());
  }
}
