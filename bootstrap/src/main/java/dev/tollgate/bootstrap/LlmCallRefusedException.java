package dev.tollgate.bootstrap;

import java.nio.charset.StandardCharsets;

/**
 * An LLM call the policy refused before it left the JVM, raised where the HTTP client has no response of its own to
 * answer with (Reactor Netty's {@code HttpClient} used directly: its request's body is known only once the connection
 * is writing it). Carries the provider-format error that other clients hand back as a 402 response. Not retryable.
 */
public class LlmCallRefusedException extends TollgateException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String body;

  public LlmCallRefusedException(BlockedCall blocked) {
    super(blocked.message(), null);
    this.status = blocked.status();
    this.body = new String(blocked.body(), StandardCharsets.UTF_8);
  }

  /** The status a provider-format refusal carries (402 for a budget or a limit). */
  public int status() {
    return status;
  }

  /** The provider-format error body (JSON), as other clients receive it. */
  public String body() {
    return body;
  }
}
