package dev.tollgate.bootstrap;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An LLM call the policy refused before it left the JVM: the synthetic provider-format error response that the
 * HTTP-client instrumentation hands back instead of sending the request. Its shape is one every SDK and framework
 * treats as final (status 402, {@code x-should-retry: false}, no {@code retry-after}), so nothing retries it.
 */
public final class BlockedCall {
  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;
  private final String message;

  public BlockedCall(int status, Map<String, String> headers, byte[] body, String message) {
    this.status = status;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    this.body = body.clone();
    this.message = message;
  }

  public int status() {
    return status;
  }

  /** Lower-case header names. */
  public Map<String, String> headers() {
    return headers;
  }

  /** A fresh copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  /** One sentence naming the budget or limit, its scope, spend and cap. */
  public String message() {
    return message;
  }
}
