package dev.tollgate.policy;

/**
 * One entry of {@code runs.entry_points}: a method whose invocation starts a run.
 *
 * @param className binary class name ({@code com.acme.Outer$Inner})
 * @param method    method name (every overload)
 */
public record EntryPoint(String className, String method) {
  /** The form written in the policy: {@code com.acme.Agent#handle}. */
  @Override
  public String toString() {
    return className + "#" + method;
  }
}
