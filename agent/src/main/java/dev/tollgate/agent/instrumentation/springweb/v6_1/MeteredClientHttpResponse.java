package dev.tollgate.agent.instrumentation.springweb.v6_1;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.MeteredInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The connector's response, whose body shows the exchange every byte the app reads. Closing the response ends the
 * exchange: complete when the body was read to its end (or to its declared length), abandoned otherwise. A helper
 * class, defined into the app's loader.
 */
final class MeteredClientHttpResponse implements ClientHttpResponse {
  private final ClientHttpResponse delegate;
  private final LlmExchange exchange;
  private final long contentLength;
  private MeteredInputStream body;

  MeteredClientHttpResponse(ClientHttpResponse delegate, LlmExchange exchange, long contentLength) {
    this.delegate = delegate;
    this.exchange = exchange;
    this.contentLength = contentLength;
  }

  @Override
  public HttpStatusCode getStatusCode() throws IOException {
    return delegate.getStatusCode();
  }

  @Override
  public String getStatusText() throws IOException {
    return delegate.getStatusText();
  }

  @Override
  public HttpHeaders getHeaders() {
    return delegate.getHeaders();
  }

  @Override
  public InputStream getBody() throws IOException {
    if (body == null) {
      InputStream in;
      try {
        in = delegate.getBody();
      } catch (IOException | RuntimeException e) {
        Guard.llmEnd(exchange, false, e);
        throw e;
      }
      body = new MeteredInputStream(in, exchange, contentLength);
    }
    return body;
  }

  @Override
  public void close() {
    try {
      if (body != null) {
        body.close(); // ends the exchange, unless its end of stream did
      }
    } catch (IOException e) {
      // the connector's own close below is what the app relies on
    } finally {
      delegate.close();
      if (body == null) {
        Guard.llmEnd(exchange, contentLength == 0, null); // never read: abandoned, unless there was nothing to read
      }
    }
  }
}
