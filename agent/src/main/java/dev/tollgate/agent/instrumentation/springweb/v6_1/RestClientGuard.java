package dev.tollgate.agent.instrumentation.springweb.v6_1;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * What the advice on {@code ClientHttpRequest.executeInternal} calls. A helper class: defined into the loader of
 * each woven Spring request class, so it links against the app's spring-web. Contains its own exceptions: when
 * governing fails, the request goes on as if the agent were not there.
 */
public final class RestClientGuard {
  static final String CLIENT = "spring-restclient";

  private RestClientGuard() {}

  /**
   * Whether the request is an LLM call this frame governs: false for other requests, and for the inner requests
   * of a chain whose outer request already governs the call (an intercepting request's delegate).
   */
  public static boolean recognized(ClientHttpRequest request) {
    try {
      return request != null && Guard.llmRecognized(request.getMethod().name(), request.getURI().toString());
    } catch (Throwable t) {
      Guard.suppressed(t);
      return false;
    }
  }

  /**
   * Admits the call. Returns null (send it untouched), the {@link LlmExchange} (send it; the transport underneath
   * leaves it to this frame until {@link #exit}), or the {@link ClientHttpResponse} to answer with instead.
   */
  public static Object enter(ClientHttpRequest request, byte[] body) {
    try {
      Object answer = Guard.llmEnter(CLIENT, request.getMethod().name(), request.getURI().toString(), body,
          body == null ? -1 : body.length);
      if (answer instanceof BlockedCall) {
        return new BlockedClientHttpResponse((BlockedCall) answer);
      }
      if (answer instanceof LlmExchange) {
        Guard.llmOuterEnter();
        return answer;
      }
      return null;
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /** The response the app gets: the blocked answer, or the connector's response with its body metered. */
  public static ClientHttpResponse exit(Object entered, ClientHttpResponse response, Throwable thrown) {
    if (entered instanceof ClientHttpResponse) {
      return (ClientHttpResponse) entered;
    }
    if (!(entered instanceof LlmExchange)) {
      return response;
    }
    Guard.llmOuterExit();
    LlmExchange exchange = (LlmExchange) entered;
    if (thrown != null || response == null) {
      Guard.llmEnd(exchange, false, thrown);
      return response;
    }
    try {
      HttpHeaders headers = response.getHeaders();
      Guard.llmResponse(exchange, response.getStatusCode().value(), headers.getFirst(HttpHeaders.CONTENT_TYPE),
          headers.getFirst(HttpHeaders.CONTENT_ENCODING));
      return new MeteredClientHttpResponse(response, exchange, headers.getContentLength());
    } catch (Throwable t) {
      Guard.suppressed(t);
      Guard.llmEnd(exchange, false, t);
      return response;
    }
  }
}
