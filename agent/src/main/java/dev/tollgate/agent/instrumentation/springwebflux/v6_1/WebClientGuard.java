package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import dev.tollgate.agent.instrumentation.reactor.GovernedMono;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
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
public final class WebClientGuard extends LlmHttpClient<WebClientGuard.Outgoing, ClientResponse> {
  static final String CLIENT = "spring-webclient";
  private static final WebClientGuard INSTANCE = new WebClientGuard();

  private WebClientGuard() {
    super(CLIENT);
  }

  /** A request whose body was inserted into memory: the replay carries those bytes. */
  static final class Outgoing {
    final ClientRequest replay;
    final BodyCapture capture;
    final ExchangeStrategies strategies;

    Outgoing(ClientRequest replay, BodyCapture capture, ExchangeStrategies strategies) {
      this.replay = replay;
      this.capture = capture;
      this.strategies = strategies;
    }
  }

  /** The exchange to return instead of the original one, or null to leave the request alone (not an LLM call). */
  public static Mono<ClientResponse> exchange(ExchangeFunction function, ExchangeStrategies strategies,
      ClientRequest request) {
    try {
      if (function == null || strategies == null || request == null
          || !Guard.llmRecognized(request.method().name(), request.url().toString())) {
        return null;
      }
      // the body may be inserted, and the call sent, on another thread: the run that made the request goes with it
      Guard.runLend(request);
      return Mono.defer(() -> {
        BodyCapture capture = new BodyCapture(request, strategies);
        return capture.insert().then(Mono.defer(() -> send(function, strategies, request, capture)));
      });
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static Mono<ClientResponse> send(ExchangeFunction function, ExchangeStrategies strategies,
      ClientRequest request, BodyCapture capture) {
    ClientRequest replay = capture.replay();
    // subscribed with the thread marked, the nested exchange of the replay passes the advice and the transport
    Mono<ClientResponse> sent = new GovernedMono<>(Mono.defer(() -> function.exchange(replay)));
    Object resumed = Guard.runResume(request);
    Admitted<Outgoing, ClientResponse> admitted;
    try {
      admitted = INSTANCE.admit(new Outgoing(replay, capture, strategies));
    } finally {
      Guard.runRelease(resumed, false, null);
    }
    if (admitted == null) {
      return sent;
    }
    if (admitted.refusal != null) {
      return Mono.just(admitted.refusal);
    }
    if (admitted.exchange == null) {
      return sent;
    }
    return GovernedMono.responded(sent, INSTANCE, admitted);
  }

  @Override
  protected String method(Outgoing o) {
    return o.replay.method().name();
  }

  @Override
  protected String uri(Outgoing o) {
    return o.replay.url().toString();
  }

  @Override
  protected long bodyLength(Outgoing o) {
    return o.capture.bytes().length;
  }

  /** The body was inserted into memory with the exchange's own writers; the replay sends those bytes. */
  @Override
  protected boolean bodyRepeatable(Outgoing o) {
    return true;
  }

  @Override
  protected void writeBody(Outgoing o, OutputStream out) throws IOException {
    out.write(o.capture.bytes());
  }

  @Override
  protected int status(ClientResponse response) {
    return response.statusCode().value();
  }

  @Override
  protected String header(ClientResponse response, String name) {
    return response.headers().asHttpHeaders().getFirst(name);
  }

  @Override
  protected ClientResponse metered(Outgoing o, ClientResponse response, LlmExchange exchange) {
    return response.mutate().body(new MeteredBody(exchange)).build();
  }

  @Override
  protected ClientResponse refusal(Outgoing o, BlockedCall blocked) {
    byte[] body = blocked.body();
    ClientResponse.Builder response = ClientResponse.create(HttpStatusCode.valueOf(blocked.status()), o.strategies)
        .request(o.capture);
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      response.header(h.getKey(), h.getValue());
    }
    response.header(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length));
    return response.body(Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)))).build();
  }
}
