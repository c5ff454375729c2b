package dev.tollgate.policy.store;

/** A shared store could not be asked in time. The message says why and is safe to log (no password). */
public final class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
