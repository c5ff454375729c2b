package dev.tollgate.agent.instrumentation.awssdk.v2;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * An asynchronous client's response body on its way to the SDK's unmarshaller (a JSON body, or ConverseStream's
 * event stream): every buffer is shown to the exchange as it passes (its position untouched) and handed on as it
 * is. Completion ends the exchange as complete, an error as failed, a cancel as abandoned. Only the first
 * subscription is metered. A helper class, like {@link TollgateExecutionInterceptor}.
 */
final class MeteredPublisher implements Publisher<ByteBuffer> {
  private final Publisher<ByteBuffer> delegate;
  private final LlmExchange exchange;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  MeteredPublisher(Publisher<ByteBuffer> delegate, LlmExchange exchange) {
    this.delegate = delegate;
    this.exchange = exchange;
  }

  @Override
  public void subscribe(Subscriber<? super ByteBuffer> subscriber) {
    if (subscriber != null && subscribed.compareAndSet(false, true)) {
      delegate.subscribe(new Metered(subscriber, exchange));
    } else {
      delegate.subscribe(subscriber);
    }
  }

  /** Sits between the body and its subscriber, seeing buffers, the end and a cancel. */
  static final class Metered implements Subscriber<ByteBuffer>, Subscription {
    private final Subscriber<? super ByteBuffer> downstream;
    private final LlmExchange exchange;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Subscription upstream;

    Metered(Subscriber<? super ByteBuffer> downstream, LlmExchange exchange) {
      this.downstream = downstream;
      this.exchange = exchange;
    }

    @Override
    public void onSubscribe(Subscription subscription) {
      this.upstream = subscription;
      downstream.onSubscribe(this);
    }

    @Override
    public void onNext(ByteBuffer buffer) {
      if (buffer != null && !ended.get()) {
        Guard.llmBytes(exchange, buffer);
      }
      downstream.onNext(buffer);
    }

    @Override
    public void onError(Throwable error) {
      end(false, error);
      downstream.onError(error);
    }

    @Override
    public void onComplete() {
      end(true, null);
      downstream.onComplete();
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      end(false, null);
      upstream.cancel();
    }

    private void end(boolean complete, Throwable error) {
      if (ended.compareAndSet(false, true)) {
        Guard.llmEnd(exchange, complete, error);
      }
    }
  }
}
