package dev.tollgate.bootstrap;

/** A call limit with {@code on_exceed: halt} was reached: the run ends here. */
public class LimitExceededException extends TollgateException {
  private static final long serialVersionUID = 1L;
  private final String limit;
  private final String scope;
  private final long maxCalls;

  public LimitExceededException(String message, String rule, String limit, String scope, long maxCalls) {
    super(message, rule);
    this.limit = limit;
    this.scope = scope;
    this.maxCalls = maxCalls;
  }

  /** The limit's name from the policy. */
  public String limit() {
    return limit;
  }

  /** {@code run}, {@code session}, {@code process}, ... */
  public String scope() {
    return scope;
  }

  public long maxCalls() {
    return maxCalls;
  }
}
