package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import dev.tollgate.bootstrap.Guard;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

/**
 * An exchange whose subscription runs with the thread marked as governed by {@code WebClient}: connectors start the
 * request while they are subscribed to (the JDK connector's {@code HttpClient.sendAsync} runs right there once the
 * in-memory body is written), so the transport's own instrumentation leaves the call to us. A helper class.
 */
final class GovernedExchange<T> extends MonoOperator<T, T> {
  GovernedExchange(Mono<? extends T> source) {
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
}
