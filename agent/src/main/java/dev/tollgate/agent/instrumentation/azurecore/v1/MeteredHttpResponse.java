package dev.tollgate.agent.instrumentation.azurecore.v1;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The pipeline's response with its body metered as the app reads it, whichever way it reads it: every accessor
 * goes through {@link #getBody()} (azure-core's own {@code getBodyAsBinaryData}, {@code getBodyAsInputStream},
 * {@code writeBodyTo} do too), whose buffers are shown to the exchange as read-only views (the app's buffers are
 * not moved) and passed on unchanged. The exchange ends when the body completes, fails or is cancelled, or when
 * the response is closed unread. A helper class.
 */
final class MeteredHttpResponse extends HttpResponse {
  private final HttpResponse delegate;
  private final LlmExchange exchange;
  private final AtomicBoolean ended = new AtomicBoolean();

  MeteredHttpResponse(HttpResponse delegate, LlmExchange exchange) {
    super(delegate.getRequest());
    this.delegate = delegate;
    this.exchange = exchange;
  }

  @Override
  public int getStatusCode() {
    return delegate.getStatusCode();
  }

  @Override
  @SuppressWarnings("deprecation")
  public String getHeaderValue(String name) {
    return delegate.getHeaderValue(name);
  }

  @Override
  public String getHeaderValue(HttpHeaderName name) {
    return delegate.getHeaderValue(name);
  }

  @Override
  public HttpHeaders getHeaders() {
    return delegate.getHeaders();
  }

  @Override
  public Flux<ByteBuffer> getBody() {
    Flux<ByteBuffer> body = delegate.getBody();
    if (body == null) {
      end(true, null);
      return null;
    }
    return body.doOnNext(this::show)
        .doOnComplete(() -> end(true, null))
        .doOnError(e -> end(false, e))
        .doOnCancel(() -> end(false, null));
  }

  @Override
  public Mono<byte[]> getBodyAsByteArray() {
    Flux<ByteBuffer> body = getBody();
    if (body == null) {
      return Mono.empty();
    }
    return body.collect(ByteArrayOutputStream::new, (out, buffer) -> {
      ByteBuffer view = buffer.duplicate();
      byte[] bytes = new byte[view.remaining()];
      view.get(bytes);
      out.write(bytes, 0, bytes.length);
    }).map(ByteArrayOutputStream::toByteArray);
  }

  @Override
  public Mono<String> getBodyAsString() {
    return getBodyAsString(StandardCharsets.UTF_8);
  }

  @Override
  public Mono<String> getBodyAsString(Charset charset) {
    return getBodyAsByteArray().map(bytes -> new String(bytes, charset));
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      end(false, null); // closed before the body completed: abandoned (a no-op after a completed body)
    }
  }

  private void show(ByteBuffer buffer) {
    try {
      Guard.llmBytes(exchange, buffer.asReadOnlyBuffer());
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
  }

  private void end(boolean complete, Throwable error) {
    if (ended.compareAndSet(false, true)) {
      Guard.llmEnd(exchange, complete, error);
    }
  }
}
