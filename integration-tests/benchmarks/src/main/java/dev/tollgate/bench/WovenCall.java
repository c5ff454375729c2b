package dev.tollgate.bench;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;

/**
 * The tool call every tool benchmark makes, and the two ways to make it: bare, or the way woven advice makes it
 * ({@link Guard#toolEnter}, the body only on {@link Guard#PROCEED}, {@link Guard#toolExit} in a finally). Refers to
 * nothing but {@code dev.tollgate.bootstrap}, so it also runs in a JVM started with {@code -javaagent}, whose
 * class path must not hold the agent's own classes.
 */
public final class WovenCall {
  static final String FRAMEWORK = "langchain4j";
  static final String TOOL = "lookup";
  static final String ARGUMENTS = "{\"key\":\"k1\"}";

  private WovenCall() {}

  /** The tool's body: small, so that what is measured around it is the guard. */
  static int body(String arguments) {
    return arguments.length() + 1;
  }

  /** What a woven tool call does: one decision, the body if allowed, the frame closed. */
  static int guarded(String arguments) {
    Object request = new Object(); // the framework's per-call request object
    Object decision = Guard.toolEnter(FRAMEWORK, request, TOOL, arguments, null);
    try {
      if (decision instanceof Refusal) {
        return -1;
      }
      return body(arguments);
    } finally {
      if (decision != null) {
        Guard.toolExit();
      }
    }
  }

  /**
   * A tool call in a run of its own, as a framework's woven entry point makes it: the run begins, the tool call is
   * decided and counted against the run's limits, the run ends (its counters are dropped).
   */
  static int guardedInRun(String arguments) {
    Object run = Guard.runEnter(FRAMEWORK);
    Throwable thrown = null;
    try {
      return guarded(arguments);
    } catch (RuntimeException | Error e) {
      thrown = e;
      throw e;
    } finally {
      Guard.runExit(run, thrown);
    }
  }
}
