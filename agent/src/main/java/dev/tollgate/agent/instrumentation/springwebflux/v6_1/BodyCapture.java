package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An in-memory stand-in for the connector's request, into which the app's {@code BodyInserter} writes the body
 * with the exchange's message writers, exactly as it would for the real one (the headers it sets, content type
 * and length, are kept). {@link #replay()} is the app's request carrying those bytes. The app's
 * {@code httpRequest(...)} customiser is not run here: it runs once, on the real request. A helper class.
 */
final class BodyCapture implements ClientHttpRequest, HttpRequest, BodyInserter.Context {
  private final ClientRequest request;
  private final ExchangeStrategies strategies;
  private final HttpHeaders headers = new HttpHeaders();
  private final Map<String, Object> attributes;
  private volatile byte[] bytes = new byte[0];
  private volatile boolean committed;

  BodyCapture(ClientRequest request, ExchangeStrategies strategies) {
    this.request = request;
    this.strategies = strategies;
    this.headers.putAll(request.headers());
    this.attributes = new HashMap<>(request.attributes());
  }

  /** Writes the app's body into this capture. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Mono<Void> insert() {
    BodyInserter inserter = request.body();
    return (Mono<Void>) inserter.insert(this, this);
  }

  byte[] bytes() {
    return bytes;
  }

  /** The app's request with the captured body and the headers its writer set. */
  ClientRequest replay() {
    byte[] body = bytes;
    BodyInserter<byte[], ClientHttpRequest> same =
        (message, context) -> message.writeWith(Mono.fromSupplier(() -> message.bufferFactory().wrap(body)));
    return ClientRequest.from(request).headers(h -> h.putAll(headers)).body(same).build();
  }

  @Override
  public HttpMethod getMethod() {
    return request.method();
  }

  @Override
  public URI getURI() {
    return request.url();
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public MultiValueMap<String, HttpCookie> getCookies() {
    return new LinkedMultiValueMap<>();
  }

  @Override
  public Map<String, Object> getAttributes() {
    return attributes;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getNativeRequest() {
    return (T) this;
  }

  @Override
  public DataBufferFactory bufferFactory() {
    return DefaultDataBufferFactory.sharedInstance;
  }

  @Override
  public void beforeCommit(Supplier<? extends Mono<Void>> action) {
    // nothing is sent from here
  }

  @Override
  public boolean isCommitted() {
    return committed;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    committed = true;
    return DataBufferUtils.join(body).doOnNext(joined -> {
      try {
        byte[] out = new byte[joined.readableByteCount()];
        joined.read(out);
        bytes = out;
      } finally {
        DataBufferUtils.release(joined);
      }
    }).then();
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return writeWith(Flux.from(body).concatMap(Flux::from));
  }

  @Override
  public Mono<Void> setComplete() {
    committed = true;
    return Mono.empty();
  }

  @Override
  public List<HttpMessageWriter<?>> messageWriters() {
    return strategies.messageWriters();
  }

  @Override
  public Optional<ServerHttpRequest> serverRequest() {
    return Optional.empty();
  }

  @Override
  public Map<String, Object> hints() {
    return new HashMap<>();
  }
}
