package dev.tollgate.agent.instrumentation.azurecore.v1;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import dev.tollgate.agent.instrumentation.reactor.GovernedMono;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import reactor.core.publisher.Mono;

/**
 * What the advice on {@code HttpPipeline} calls: azure-core's side of the {@link LlmHttpClient} template (its
 * request's body as {@code BinaryData}, replayable or made so; the refusal {@link BlockedHttpResponse}; the metered
 * {@link MeteredHttpResponse}). A helper class, defined into the app's loader; contains its own exceptions (counted
 * by {@link Guard#suppressed}); the pipeline's own exceptions reach the app as they are.
 *
 * <p>Which run a call belongs to travels with the request, not with the thread: the asynchronous {@code send} is
 * called on the app's thread, which lends its run to the request ({@link Guard#runLend}); the call is admitted
 * where the {@code Mono} is subscribed, on whatever thread that is, in the run lent to it ({@link Guard#runResume}).
 */
public final class AzurePipelineGuard extends LlmHttpClient<HttpRequest, HttpResponse> {
  static final String CLIENT = "azure-core";
  /** In the subscriber context of a governed pipeline call: the transport leaves the request to the pipeline. */
  static final String GOVERNED = "dev.tollgate.azure-core.governed";
  private static final AzurePipelineGuard INSTANCE = new AzurePipelineGuard();

  private AzurePipelineGuard() {
    super(CLIENT);
  }

  /** The {@code Mono} to return instead of {@code sent}, or null to leave the request alone. */
  public static Mono<HttpResponse> send(HttpPipelineCallContext context, Mono<HttpResponse> sent) {
    try {
      if (context == null || sent == null) {
        return null;
      }
      HttpRequest request = context.getHttpRequest();
      if (request == null || !recognized(request)) {
        return null;
      }
      Guard.runLend(request);
      return Mono.defer(() -> admitted(request, sent));
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static Mono<HttpResponse> admitted(HttpRequest request, Mono<HttpResponse> sent) {
    Object resumed = Guard.runResume(request);
    Admitted<HttpRequest, HttpResponse> admitted;
    try {
      admitted = INSTANCE.admit(request);
    } finally {
      Guard.runRelease(resumed, false, null);
    }
    if (admitted == null) {
      return sent;
    }
    if (admitted.refusal != null) {
      return Mono.just(admitted.refusal); // nothing reaches the pipeline's policies or the transport
    }
    if (admitted.unreadable != null) {
      return Mono.error(admitted.unreadable); // the app's own body failed to produce its bytes
    }
    if (admitted.exchange == null) {
      return sent;
    }
    return GovernedMono.responded(new GovernedMono<>(sent), INSTANCE, admitted)
        .contextWrite(c -> c.put(GOVERNED, Boolean.TRUE));
  }

  /**
   * An azure-core {@code HttpClient}'s attempt, subscribed with the thread marked as governed when the pipeline's
   * subscriber context carries {@link #GOVERNED} (a retry subscribes it on a timer thread).
   */
  public static <T> Mono<T> markedAttempt(Mono<T> attempt) {
    return Mono.deferContextual(c -> c.hasKey(GOVERNED) ? new GovernedMono<>(attempt) : attempt);
  }

  /**
   * Before {@code sendSync}: null (not an LLM call, or another layer governs it), the refusal to answer with (the
   * pipeline is skipped), or the admitted call, with this thread marked as governing the request until
   * {@link #exitSync}.
   */
  public static Object enterSync(HttpRequest request) {
    try {
      if (request == null || !recognized(request)) {
        return null;
      }
      Admitted<HttpRequest, HttpResponse> admitted = INSTANCE.admit(request);
      if (admitted == null) {
        return null;
      }
      if (admitted.refusal != null) {
        return admitted.refusal;
      }
      if (admitted.unreadable != null) {
        // the app's body failed to write: sending fails with that same error (not governed: nothing is sent)
        request.setBody(BinaryData.fromStream(new Failing(admitted.unreadable)));
        return null;
      }
      if (admitted.exchange != null) {
        Guard.llmOuterEnter();
      }
      return admitted;
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /** After {@code sendSync}: the response to return instead of {@code response}, or null to keep it. */
  @SuppressWarnings("unchecked")
  public static HttpResponse exitSync(HttpRequest request, Object entered, HttpResponse response,
      Throwable thrown) {
    if (entered instanceof HttpResponse) {
      return (HttpResponse) entered;
    }
    if (!(entered instanceof Admitted)) {
      return null;
    }
    Admitted<HttpRequest, HttpResponse> admitted = (Admitted<HttpRequest, HttpResponse>) entered;
    if (admitted.exchange == null) {
      return null;
    }
    Guard.llmOuterExit();
    HttpResponse answer = INSTANCE.respond(admitted, response, thrown);
    return answer == response ? null : answer;
  }

  private static boolean recognized(HttpRequest request) {
    return request.getHttpMethod() != null && request.getUrl() != null
        && Guard.llmRecognized(request.getHttpMethod().name(), request.getUrl().toString());
  }

  @Override
  protected String method(HttpRequest request) {
    return request.getHttpMethod().name();
  }

  @Override
  protected String uri(HttpRequest request) {
    return request.getUrl().toString();
  }

  @Override
  protected long bodyLength(HttpRequest request) {
    BinaryData body = request.getBodyAsBinaryData();
    if (body == null) {
      return 0;
    }
    Long length = body.getLength();
    return length == null ? -1 : length;
  }

  @Override
  protected boolean bodyRepeatable(HttpRequest request) {
    return request.getBodyAsBinaryData().isReplayable();
  }

  @Override
  protected void writeBody(HttpRequest request, OutputStream out) throws IOException {
    out.write(request.getBodyAsBinaryData().toBytes());
  }

  @Override
  protected boolean canResend(HttpRequest request) {
    return true;
  }

  /** The same bytes, readable again by the transport (and by a retry). */
  @Override
  protected HttpRequest withBody(HttpRequest request, byte[] body) {
    request.setBody(BinaryData.fromBytes(body));
    return request;
  }

  @Override
  protected int status(HttpResponse response) {
    return response.getStatusCode();
  }

  @Override
  protected String header(HttpResponse response, String name) {
    return response.getHeaderValue(name);
  }

  @Override
  protected HttpResponse refusal(HttpRequest request, BlockedCall blocked) {
    return new BlockedHttpResponse(request, blocked);
  }

  @Override
  protected HttpResponse metered(HttpRequest request, HttpResponse response, LlmExchange exchange) {
    return new MeteredHttpResponse(response, exchange);
  }

  /** A body whose every read fails with the app's own error. */
  static final class Failing extends InputStream {
    private final Exception failure;

    Failing(Exception failure) {
      this.failure = failure;
    }

    @Override
    public int read() throws IOException {
      throw failure instanceof IOException ? (IOException) failure : new IOException(failure);
    }
  }
}
