package dev.tollgate.platform.jdkhttp;

import dev.tollgate.bootstrap.BlockedCall;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * A blocked call's answer in the JDK client's own terms: an {@link HttpResponse} whose body went through the
 * app's {@link HttpResponse.BodyHandler} like any real body, so a handler of strings, bytes, lines or an input
 * stream gets the provider-format error body, and nothing was sent.
 */
final class BlockedResponses {
  private BlockedResponses() {}

  static <T> CompletableFuture<HttpResponse<T>> respond(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      BlockedCall blocked) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    byte[] body = blocked.body();
    for (Map.Entry<String, String> e : blocked.headers().entrySet()) {
      map.put(e.getKey(), List.of(e.getValue()));
    }
    map.put("content-length", List.of(Integer.toString(body.length)));
    HttpHeaders headers = HttpHeaders.of(map, (k, v) -> true);
    HttpClient.Version version = request.version().orElse(HttpClient.Version.HTTP_1_1);
    HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
      @Override
      public int statusCode() {
        return blocked.status();
      }

      @Override
      public HttpHeaders headers() {
        return headers;
      }

      @Override
      public HttpClient.Version version() {
        return version;
      }
    };
    HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
    subscriber.onSubscribe(new OneShot(subscriber, body));
    return subscriber.getBody().toCompletableFuture()
        .thenApply(value -> new Synthetic<>(request, info, value));
  }

  /** Delivers the body once, when first asked for. */
  private static final class OneShot implements Flow.Subscription {
    private final Flow.Subscriber<? super List<ByteBuffer>> subscriber;
    private final byte[] body;
    private final AtomicBoolean done = new AtomicBoolean();

    OneShot(Flow.Subscriber<? super List<ByteBuffer>> subscriber, byte[] body) {
      this.subscriber = subscriber;
      this.body = body;
    }

    @Override
    public void request(long n) {
      if (n > 0 && done.compareAndSet(false, true)) {
        subscriber.onNext(List.of(ByteBuffer.wrap(body).asReadOnlyBuffer()));
        subscriber.onComplete();
      }
    }

    @Override
    public void cancel() {
      done.set(true);
    }
  }

  private static final class Synthetic<T> implements HttpResponse<T> {
    private final HttpRequest request;
    private final HttpResponse.ResponseInfo info;
    private final T body;

    Synthetic(HttpRequest request, HttpResponse.ResponseInfo info, T body) {
      this.request = request;
      this.info = info;
      this.body = body;
    }

    @Override
    public int statusCode() {
      return info.statusCode();
    }

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
      return info.headers();
    }

    @Override
    public T body() {
      return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return info.version();
    }

    @Override
    public String toString() {
      URI uri = request.uri();
      return "(" + request.method() + " " + uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + ") "
          + statusCode() + " [blocked by tollgate]";
    }
  }
}
