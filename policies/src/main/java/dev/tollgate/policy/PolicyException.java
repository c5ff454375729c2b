package dev.tollgate.policy;

import java.util.List;

/** A policy that could not be loaded; carries every error found, in file order. */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<PolicyError> errors;

  public PolicyException(List<PolicyError> errors) {
    super(errors.isEmpty() ? "invalid policy" : errors.get(0).toString()
        + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
    this.errors = List.copyOf(errors);
  }

  public List<PolicyError> errors() {
    return errors;
  }
}
