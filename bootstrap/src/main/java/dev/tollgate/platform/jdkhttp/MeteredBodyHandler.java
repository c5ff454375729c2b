package dev.tollgate.platform.jdkhttp;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The app's {@link HttpResponse.BodyHandler}, with the response bytes shown to the LLM exchange on their way to
 * the app's own subscriber. The app's subscriber receives the very same buffers, in the same order and at the
 * same time (whatever its form: string, bytes, lines, input stream, publisher), so what it reads is exactly what
 * the provider sent.
 */
final class MeteredBodyHandler<T> implements HttpResponse.BodyHandler<T> {
  private final HttpResponse.BodyHandler<T> delegate;
  private final LlmExchange exchange;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean responded;

  MeteredBodyHandler(HttpResponse.BodyHandler<T> delegate, LlmExchange exchange) {
    this.delegate = delegate;
    this.exchange = exchange;
  }

  @Override
  public HttpResponse.BodySubscriber<T> apply(HttpResponse.ResponseInfo info) {
    HttpResponse.BodySubscriber<T> subscriber = delegate.apply(info);
    try {
      responded = true;
      Guard.llmResponse(exchange, info.statusCode(),
          info.headers().firstValue("content-type").orElse(null),
          info.headers().firstValue("content-encoding").orElse(null));
      return new Subscriber<>(subscriber, this);
    } catch (Throwable t) {
      Guard.suppressed(t);
      end(false, t);
      return subscriber;
    }
  }

  /** The future {@code sendAsync} returned: a request that fails before any response ends the exchange. */
  void watch(CompletableFuture<?> result, Throwable thrown) {
    if (thrown != null || result == null) {
      end(false, thrown);
      return;
    }
    result.whenComplete((response, failure) -> {
      if (failure != null) {
        end(false, failure);
      } else if (!responded) {
        end(false, null);
      }
    });
  }

  void end(boolean complete, Throwable error) {
    if (ended.compareAndSet(false, true)) {
      Guard.llmEnd(exchange, complete, error);
    }
  }

  private static final class Subscriber<T> implements HttpResponse.BodySubscriber<T> {
    private final HttpResponse.BodySubscriber<T> delegate;
    private final MeteredBodyHandler<T> handler;

    Subscriber(HttpResponse.BodySubscriber<T> delegate, MeteredBodyHandler<T> handler) {
      this.delegate = delegate;
      this.handler = handler;
    }

    @Override
    public CompletionStage<T> getBody() {
      return delegate.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      delegate.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {
          subscription.request(n);
        }

        @Override
        public void cancel() {
          handler.end(false, null); // the app stopped reading (closed its stream, cancelled)
          subscription.cancel();
        }
      });
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      if (!handler.ended.get()) {
        for (ByteBuffer b : item) {
          Guard.llmBytes(handler.exchange, b.asReadOnlyBuffer());
        }
      }
      delegate.onNext(item);
    }

    @Override
    public void onError(Throwable throwable) {
      handler.end(false, throwable);
      delegate.onError(throwable);
    }

    @Override
    public void onComplete() {
      handler.end(true, null);
      delegate.onComplete();
    }
  }
}
