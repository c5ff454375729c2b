package dev.tollgate.agent.instrumentation.springweb.v6_1;

import dev.tollgate.bootstrap.BlockedCall;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * A refused LLM call's answer (status 402, {@code x-should-retry: false}, a provider-format JSON error): Spring
 * AI's error handler turns a 4xx into {@code NonTransientAiException}, which its retry template does not retry. A
 * helper class, defined into the app's loader.
 */
final class BlockedClientHttpResponse implements ClientHttpResponse {
  private final BlockedCall blocked;
  private final HttpHeaders headers = new HttpHeaders();
  private final byte[] body;

  BlockedClientHttpResponse(BlockedCall blocked) {
    this.blocked = blocked;
    this.body = blocked.body();
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      headers.add(h.getKey(), h.getValue());
    }
    headers.setContentLength(body.length);
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(blocked.status());
  }

  @Override
  public String getStatusText() {
    HttpStatus status = HttpStatus.resolve(blocked.status());
    return status == null ? "Blocked" : status.getReasonPhrase();
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public InputStream getBody() {
    return new ByteArrayInputStream(body);
  }

  @Override
  public void close() {}
}
