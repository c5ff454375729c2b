package dev.tollgate.agent.run;

import java.util.UUID;

/**
 * Tracks the run the current thread belongs to. A run starts at a framework's entry point (an AI-service
 * method call); entry points reached inside a run join it rather than starting another.
 */
public final class Runs {
  private final ThreadLocal<RunState> current = new ThreadLocal<>();

  /** The current thread's run, or null outside any run. */
  public RunState current() {
    return current.get();
  }

  /** Starts a run on this thread, or returns null when one is already in progress (nested entries join it). */
  public RunState begin(String framework) {
    if (current.get() != null) {
      return null;
    }
    RunState run = new RunState(UUID.randomUUID().toString(), framework);
    current.set(run);
    return run;
  }

  /** Ends the run {@code begin} returned. */
  public void end(RunState run) {
    if (current.get() == run) {
      current.remove();
    }
  }
}
