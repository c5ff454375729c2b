package dev.tollgate.platform.jdkhttp;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.lang.invoke.MethodHandle;
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
  /**
   * Makes {@link Subscriber}s of the subclass the agent generates that also implements the JDK's internal
   * {@code ResponseSubscribers.TrustedSubscriber} (see {@link JdkHttpGuard#useTrustedSubscribers}); null until then.
   */
  static volatile MethodHandle trustedSubscribers;
  /** {@code TrustedSubscriber.needsExecutor(BodySubscriber)}, once the agent has made it accessible. */
  static volatile MethodHandle needsExecutor;
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
      return wrap(subscriber);
    } catch (Throwable t) {
      Guard.suppressed(t);
      end(false, t);
      return subscriber;
    }
  }

  /**
   * The JDK delivers the body of a subscriber it does not trust (any but its own) on its executor instead of the
   * thread that read it: a hand-off or two per response. The metering wrapper is as trusted as what it wraps,
   * since it only scans the bytes it passes on, so it says so when it can.
   */
  @SuppressWarnings("unchecked")
  private HttpResponse.BodySubscriber<T> wrap(HttpResponse.BodySubscriber<T> subscriber) {
    MethodHandle trusted = trustedSubscribers;
    if (trusted != null) {
      try {
        return (HttpResponse.BodySubscriber<T>) trusted.invoke(subscriber, this);
      } catch (Throwable t) {
        Guard.suppressed(t);
      }
    }
    return new Subscriber<>(subscriber, this);
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

  /** Not final: the agent's trusted subclass extends it (see {@link #wrap}). */
  static class Subscriber<T> implements HttpResponse.BodySubscriber<T> {
    private final HttpResponse.BodySubscriber<T> delegate;
    private final MeteredBodyHandler<T> handler;

    Subscriber(HttpResponse.BodySubscriber<T> delegate, MeteredBodyHandler<T> handler) {
      this.delegate = delegate;
      this.handler = handler;
    }

    /** What the trusted subclass answers to {@code needsExecutor()}: what the app's own subscriber would. */
    boolean delegateNeedsExecutor() {
      MethodHandle needs = needsExecutor;
      if (needs == null) {
        return true;
      }
      try {
        return (boolean) needs.invoke(delegate);
      } catch (Throwable t) {
        Guard.suppressed(t);
        return true;
      }
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
          Guard.llmBytes(handler.exchange, b); // the meter reads a duplicate: position and limit stay as they are
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
