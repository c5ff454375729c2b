package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the advice on {@code DefaultExchangeFunction.exchange} calls. On subscribe: the request body is written once
 * into memory with the exchange's own message writers ({@link BodyCapture}), the call is admitted, and then either
 * a synthetic 402 {@code ClientResponse} is emitted without any I/O, or the same request, carrying those same
 * bytes, is exchanged by the original function, with the thread marked as governed while the connector starts
 * it (the JDK connector calls {@code HttpClient.sendAsync} right there), and the response body is metered as it
 * passes ({@link MeteredBody}). A helper class, defined into the app's loader; contains its own exceptions.
 */
public final class WebClientGuard {
  static final String CLIENT = "spring-webclient";

  private WebClientGuard() {}

  /** The exchange to return instead of the original one, or null to leave the request alone (not an LLM call). */
  public static Mono<ClientResponse> exchange(ExchangeFunction function, ExchangeStrategies strategies,
      ClientRequest request) {
    try {
      if (function == null || strategies == null || request == null
          || !Guard.llmRecognized(request.method().name(), request.url().toString())) {
        return null;
      }
      return Mono.defer(() -> {
        BodyCapture capture = new BodyCapture(request, strategies);
        return capture.insert().then(Mono.defer(() -> send(function, strategies, capture)));
      });
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static Mono<ClientResponse> send(ExchangeFunction function, ExchangeStrategies strategies,
      BodyCapture capture) {
    ClientRequest replay = capture.replay();
    // subscribed with the thread marked, the nested exchange of the replay passes the advice and the transport
    Mono<ClientResponse> sent = new GovernedExchange<>(Mono.defer(() -> function.exchange(replay)));
    Object answer;
    try {
      byte[] body = capture.bytes();
      answer = Guard.llmEnter(CLIENT, replay.method().name(), replay.url().toString(), body, body.length);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return sent;
    }
    if (answer instanceof BlockedCall) {
      return Mono.just(blocked((BlockedCall) answer, strategies, capture));
    }
    if (!(answer instanceof LlmExchange)) {
      return sent;
    }
    LlmExchange exchange = (LlmExchange) answer;
    AtomicBoolean responded = new AtomicBoolean();
    return sent
        .map(response -> {
          responded.set(true);
          return metered(response, exchange);
        })
        .doOnError(e -> Guard.llmEnd(exchange, false, e))
        .doOnCancel(() -> {
          if (!responded.get()) {
            Guard.llmEnd(exchange, false, null);
          }
        });
  }

  private static ClientResponse metered(ClientResponse response, LlmExchange exchange) {
    try {
      HttpHeaders headers = response.headers().asHttpHeaders();
      Guard.llmResponse(exchange, response.statusCode().value(), headers.getFirst(HttpHeaders.CONTENT_TYPE),
          headers.getFirst(HttpHeaders.CONTENT_ENCODING));
      return response.mutate().body(new MeteredBody(exchange)).build();
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
      return response;
    }
  }

  private static ClientResponse blocked(BlockedCall blocked, ExchangeStrategies strategies, BodyCapture request) {
    byte[] body = blocked.body();
    ClientResponse.Builder response = ClientResponse.create(HttpStatusCode.valueOf(blocked.status()), strategies)
        .request(request);
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      response.header(h.getKey(), h.getValue());
    }
    response.header(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
    return response.body(Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))).build();
  }
}
