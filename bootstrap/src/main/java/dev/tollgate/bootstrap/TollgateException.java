package dev.tollgate.bootstrap;

/**
 * Base of the exceptions Tollgate deliberately raises in the host app. Unchecked, so it passes through
 * dynamic proxies (AI services) without becoming an {@code UndeclaredThrowableException}. Not retryable:
 * retrying a policy decision gives the same answer.
 */
public class TollgateException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String rule;

  public TollgateException(String message, String rule) {
    super(message, null, false, true);
    this.rule = rule;
  }

  /** The policy path that decided, e.g. {@code limits[0]}. */
  public String rule() {
    return rule;
  }
}
