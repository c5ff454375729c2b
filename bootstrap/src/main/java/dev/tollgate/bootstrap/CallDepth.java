package dev.tollgate.bootstrap;

/**
 * Per-thread nesting counters for logical operations, so delegating overloads, default methods and wrapper
 * chains count a tool call once: only the outermost frame (depth 0) decides.
 */
public final class CallDepth {
  /** A tool dispatch. */
  public static final int TOOL = 0;
  /** An HTTP exchange with an LLM provider. */
  public static final int HTTP = 1;
  private static final int KINDS = 2;

  private static final ThreadLocal<int[]> DEPTHS = ThreadLocal.withInitial(() -> new int[KINDS]);

  private CallDepth() {}

  /** Enters one level of {@code kind}; returns the depth before entering (0 = outermost). */
  public static int enter(int kind) {
    return DEPTHS.get()[kind]++;
  }

  /** Leaves one level of {@code kind}; never goes below zero. */
  public static void exit(int kind) {
    int[] d = DEPTHS.get();
    if (d[kind] > 0) {
      d[kind]--;
    }
  }
}
