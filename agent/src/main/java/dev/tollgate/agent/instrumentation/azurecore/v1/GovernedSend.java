package dev.tollgate.agent.instrumentation.azurecore.v1;

import dev.tollgate.bootstrap.Guard;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;

/**
 * The pipeline's {@code Mono}, subscribed with the thread marked as governed by azure-core: the policies and the
 * azure-core {@code HttpClient} start the request while they are subscribed to, so a transport that has an
 * instrumentation of its own (OkHttp, the JDK client) leaves the call to us. A helper class.
 */
final class GovernedSend<T> extends MonoOperator<T, T> {
  GovernedSend(Mono<? extends T> source) {
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
