package dev.tollgate.agent.instrumentation.azurecore.v1;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * What the advice on {@code HttpPipeline} calls. A helper class, defined into the app's loader; contains its own
 * exceptions (counted by {@link Guard#suppressed}); the pipeline's own exceptions reach the app as they are.
 *
 * <p>Which run a call belongs to travels with the request, not with the thread: the asynchronous {@code send} is
 * called on the app's thread, which lends its run to the request ({@link Guard#runLend}); the call is admitted
 * where the {@code Mono} is subscribed, on whatever thread that is, in the run lent to it ({@link Guard#runResume}).
 */
public final class AzurePipelineGuard {
  static final String CLIENT = "azure-core";
  /** In the subscriber context of a governed pipeline call: the transport leaves the request to the pipeline. */
  static final String GOVERNED = "dev.tollgate.azure-core.governed";
  /** Request bodies larger than this are not copied for inspection; the length alone is used. */
  static final long MAX_INSPECTED_BODY = 32L * 1024 * 1024;

  private AzurePipelineGuard() {}

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
    Object answer;
    try {
      answer = enter(request);
    } finally {
      Guard.runRelease(resumed, false, null);
    }
    if (answer instanceof BlockedCall) {
      HttpResponse blocked = blocked(request, (BlockedCall) answer);
      if (blocked != null) {
        return Mono.just(blocked); // nothing reaches the pipeline's policies or the transport
      }
    }
    if (!(answer instanceof LlmExchange)) {
      return sent;
    }
    LlmExchange exchange = (LlmExchange) answer;
    AtomicBoolean responded = new AtomicBoolean();
    return new GovernedSend<>(sent)
        .map(response -> {
          responded.set(true);
          return metered(response, exchange);
        })
        .doOnError(e -> Guard.llmEnd(exchange, false, e))
        .doOnCancel(() -> {
          if (!responded.get()) {
            Guard.llmEnd(exchange, false, null);
          }
        })
        .contextWrite(c -> c.put(GOVERNED, Boolean.TRUE));
  }

  /**
   * An azure-core {@code HttpClient}'s attempt, subscribed with the thread marked as governed when the pipeline's
   * subscriber context carries {@link #GOVERNED} (a retry subscribes it on a timer thread).
   */
  public static <T> Mono<T> markedAttempt(Mono<T> attempt) {
    return Mono.deferContextual(c -> c.hasKey(GOVERNED) ? new GovernedSend<>(attempt) : attempt);
  }

  /**
   * Before {@code sendSync}: null (not an LLM call, or another layer governs it), a {@link BlockedCall} (the
   * pipeline is skipped; {@link #exitSync} answers with it), or the admitted call's {@link LlmExchange}, with this
   * thread marked as governing the request until {@link #exitSync}.
   */
  public static Object enterSync(HttpRequest request) {
    try {
      if (request == null || !recognized(request)) {
        return null;
      }
      Object answer = enter(request);
      if (answer instanceof LlmExchange) {
        Guard.llmOuterEnter();
      }
      return answer;
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /** After {@code sendSync}: the response to return instead of {@code response}, or null to keep it. */
  public static HttpResponse exitSync(HttpRequest request, Object entered, HttpResponse response,
      Throwable thrown) {
    if (entered instanceof BlockedCall) {
      return blocked(request, (BlockedCall) entered);
    }
    if (!(entered instanceof LlmExchange)) {
      return null;
    }
    Guard.llmOuterExit();
    LlmExchange exchange = (LlmExchange) entered;
    if (thrown != null || response == null) {
      Guard.llmEnd(exchange, false, thrown);
      return null;
    }
    return metered(response, exchange);
  }

  private static boolean recognized(HttpRequest request) {
    return request.getHttpMethod() != null && request.getUrl() != null
        && Guard.llmRecognized(request.getHttpMethod().name(), request.getUrl().toString());
  }

  private static Object enter(HttpRequest request) {
    try {
      BinaryData body = request.getBodyAsBinaryData();
      Long length = body == null ? Long.valueOf(0) : body.getLength();
      byte[] bytes = null;
      if (body == null) {
        bytes = new byte[0];
      } else if (length == null || length <= MAX_INSPECTED_BODY) {
        if (!body.isReplayable()) {
          body = body.toReplayableBinaryData();
          request.setBody(body); // the same bytes, readable again by the transport
        }
        bytes = body.toBytes();
      }
      long contentLength = bytes != null ? bytes.length : length == null ? -1 : length;
      return Guard.llmEnter(CLIENT, request.getHttpMethod().name(), request.getUrl().toString(), bytes,
          contentLength);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static HttpResponse metered(HttpResponse response, LlmExchange exchange) {
    try {
      Guard.llmResponse(exchange, response.getStatusCode(), response.getHeaderValue("Content-Type"),
          response.getHeaderValue("Content-Encoding"));
      return new MeteredHttpResponse(response, exchange);
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
      return response;
    }
  }

  private static HttpResponse blocked(HttpRequest request, BlockedCall blocked) {
    try {
      return new BlockedHttpResponse(request, blocked);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }
}
