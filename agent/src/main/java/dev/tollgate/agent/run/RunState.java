package dev.tollgate.agent.run;

import java.util.concurrent.atomic.AtomicInteger;

/** One top-level agent invocation in progress. */
public final class RunState {
  private final String id;
  private final String framework;
  private final AtomicInteger handOffs = new AtomicInteger();
  private volatile RuntimeException halt;

  RunState(String id, String framework) {
    this.id = id;
    this.framework = framework;
  }

  public String id() {
    return id;
  }

  public String framework() {
    return framework;
  }

  /** The halt that ended this run, or null. */
  public RuntimeException halt() {
    return halt;
  }

  public void halt(RuntimeException e) {
    if (halt == null) {
      halt = e;
    }
  }

  /** How many times the run was bound to a callback carrier: a streaming run that stops handing off is done. */
  int handOffs() {
    return handOffs.get();
  }

  void handedOff() {
    handOffs.incrementAndGet();
  }
}
