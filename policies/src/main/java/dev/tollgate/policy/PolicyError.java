package dev.tollgate.policy;

/**
 * One located problem in a policy file. {@link #toString()} is the form users see:
 * {@code tollgate.yaml:14:9: limits[0].max_calls must be >= 0, got -5}.
 * Lines and columns are 1-based; 0 means unknown (e.g. the file could not be read).
 */
public record PolicyError(String file, int line, int column, String message) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
