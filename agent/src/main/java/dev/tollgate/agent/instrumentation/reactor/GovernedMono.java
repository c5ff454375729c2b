package dev.tollgate.agent.instrumentation.reactor;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

/**
 * A send whose subscription runs with the thread marked as governed by an outer layer (Spring's {@code WebClient},
 * azure-core's pipeline): transports start the request while they are subscribed to, so their own instrumentation
 * leaves the call to that layer. Also the reactive end of the {@link LlmHttpClient} template, shared by those
 * layers. A helper class, defined into the loader of each woven class that lists it (it links against that
 * loader's Reactor); contains nothing of the agent's state.
 */
public final class GovernedMono<T> extends MonoOperator<T, T> {
  public GovernedMono(Mono<? extends T> source) {
    super(source);
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    Guard.llmOuterEnter();
    try {
      source.subscribe(actual);
    } finally {
      Guard.llmOuterExit();
    }
  }

  /**
   * The response of an admitted call as the app gets it: metered by {@code client}'s template; a failed send, or one
   * cancelled before its response arrived, ends the exchange (its reservation is released).
   */
  public static <Q, R> Mono<R> responded(Mono<R> sent, LlmHttpClient<Q, R> client,
      LlmHttpClient.Admitted<Q, R> admitted) {
    AtomicBoolean responded = new AtomicBoolean();
    return sent
        .map(response -> {
          responded.set(true);
          return client.respond(admitted, response, null);
        })
        .doOnError(e -> client.respond(admitted, null, e))
        .doOnCancel(() -> {
          if (!responded.get()) {
            Guard.llmEnd(admitted.exchange, false, null);
          }
        });
  }
}
