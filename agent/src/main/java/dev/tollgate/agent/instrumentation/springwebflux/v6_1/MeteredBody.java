package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBuffer;
import reactor.core.publisher.Flux;

/**
 * Meters a response body as the app consumes it: each buffer's readable bytes are shown to the exchange (views,
 * the buffer is not moved), and the exchange ends when the body completes (complete), fails or is cancelled
 * (abandoned). A body the app never subscribes to is released by Spring, which subscribes to it. A helper class.
 */
final class MeteredBody implements Function<Flux<DataBuffer>, Flux<DataBuffer>> {
  private final LlmExchange exchange;
  /** A cancel can race the upstream's completion: the exchange ends on the first of them only. */
  private final AtomicBoolean ended = new AtomicBoolean();

  MeteredBody(LlmExchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public Flux<DataBuffer> apply(Flux<DataBuffer> body) {
    return body.doOnNext(this::show)
        .doOnComplete(() -> end(true, null))
        .doOnError(e -> end(false, e))
        .doOnCancel(() -> end(false, null));
  }

  private void end(boolean complete, Throwable error) {
    if (ended.compareAndSet(false, true)) {
      Guard.llmEnd(exchange, complete, error);
    }
  }

  private void show(DataBuffer buffer) {
    try (DataBuffer.ByteBufferIterator views = buffer.readableByteBuffers()) {
      while (views.hasNext()) {
        Guard.llmBytes(exchange, views.next());
      }
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
  }
}
