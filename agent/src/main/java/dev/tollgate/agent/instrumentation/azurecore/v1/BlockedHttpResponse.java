package dev.tollgate.agent.instrumentation.azurecore.v1;

import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.BinaryData;
import dev.tollgate.bootstrap.BlockedCall;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A refused call's answer as an azure-core response: the provider-format error body and status that
 * {@link BlockedCall} carries, made without any I/O. A helper class.
 */
final class BlockedHttpResponse extends HttpResponse {
  private final int status;
  private final HttpHeaders headers = new HttpHeaders();
  private final byte[] body;

  BlockedHttpResponse(HttpRequest request, BlockedCall blocked) {
    super(request);
    this.status = blocked.status();
    this.body = blocked.body();
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      headers.set(h.getKey(), h.getValue());
    }
    headers.set("Content-Length", Integer.toString(body.length));
  }

  @Override
  public int getStatusCode() {
    return status;
  }

  @Override
  @SuppressWarnings("deprecation")
  public String getHeaderValue(String name) {
    return headers.getValue(name);
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public Flux<ByteBuffer> getBody() {
    return Flux.defer(() -> Flux.just(ByteBuffer.wrap(body)));
  }

  @Override
  public BinaryData getBodyAsBinaryData() {
    return BinaryData.fromBytes(body);
  }

  @Override
  public Mono<byte[]> getBodyAsByteArray() {
    return Mono.just(body);
  }

  @Override
  public Mono<String> getBodyAsString() {
    return Mono.just(new String(body, StandardCharsets.UTF_8));
  }

  @Override
  public Mono<String> getBodyAsString(Charset charset) {
    return Mono.just(new String(body, charset));
  }
}
