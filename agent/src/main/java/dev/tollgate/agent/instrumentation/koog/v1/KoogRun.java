package dev.tollgate.agent.instrumentation.koog.v1;

import ai.koog.agents.core.agent.context.AIAgentContext;
import dev.tollgate.bootstrap.Guard;

/**
 * A Koog run as Tollgate names it: the root {@code AIAgentContext} of one {@code AIAgent.run} (followed up
 * {@code parentContext}), by its {@code runId} and identity hash (a string: the run table keeps no Koog context, with
 * its prompt, alive); its session is that {@code runId}. The tool hook and the prompt-executor hook name the same run
 * this way. A helper class, defined into the loader of the app's Koog.
 */
public final class KoogRun {
  private KoogRun() {}

  static AIAgentContext root(AIAgentContext context) {
    AIAgentContext root = context;
    for (int depth = 0; depth < 64 && root.getParentContext() != null; depth++) {
      root = root.getParentContext();
    }
    return root;
  }

  /** The run's identity, or null without a context. */
  public static String id(AIAgentContext context) {
    if (context == null) {
      return null;
    }
    AIAgentContext root = root(context);
    return "koog:" + root.getRunId() + "#" + Integer.toHexString(System.identityHashCode(root));
  }

  /** The run's session (Koog's {@code runId}), or null without a context. */
  public static String session(AIAgentContext context) {
    return context == null ? null : root(context).getRunId();
  }

  /**
   * Makes the run of {@code context} current on this thread while a model call starts, so that the coroutines the
   * call starts (Ktor's, on {@code Dispatchers.IO}) carry it. A token for {@link Guard#runRelease}, or null.
   */
  public static Object join(AIAgentContext context) {
    if (context == null) {
      return null;
    }
    return Guard.runJoin("koog", null, id(context), session(context));
  }
}
