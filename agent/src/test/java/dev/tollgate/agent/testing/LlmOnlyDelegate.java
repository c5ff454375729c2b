package dev.tollgate.agent.testing;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A guard delegate for tests of the HTTP-client instrumentations: tool calls and runs are not governed (every
 * tool and run method is a no-op), so a test implements only {@code llmEnter} and what it records. Errors the
 * guard suppressed are kept in {@link #suppressed}, for the test's failure message.
 */
public abstract class LlmOnlyDelegate extends Guard.Delegate {
  public final List<Throwable> suppressed = new CopyOnWriteArrayList<>();

  @Override
  protected void onSuppressed(Throwable t) {
    suppressed.add(t);
  }

  @Override
  protected Refusal toolEnter(String framework, String tool, String arguments, Object session) {
    return null;
  }

  @Override
  protected Refusal failedDecision(Throwable t) {
    return null;
  }

  @Override
  protected Object runEnter(String framework) {
    return null;
  }

  @Override
  protected Throwable runExit(Object token, Throwable thrown) {
    return null;
  }

  @Override
  protected Throwable takePendingHalt() {
    return null;
  }

  @Override
  protected void runDetach(Object token, Throwable thrown) {}

  @Override
  protected void runBind(Object carrier) {}

  @Override
  protected Object runResume(Object carrier) {
    return null;
  }

  @Override
  protected void runRelease(Object token, boolean mayEnd, Throwable thrown) {}
}
