package dev.tollgate.agent.run;

import java.util.concurrent.atomic.AtomicInteger;

/** One top-level agent invocation in progress. */
public final class RunState {
  private final String id;
  private final String framework;
  private final AtomicInteger handOffs = new AtomicInteger();
  private volatile RuntimeException halt;
  private volatile String session;

  RunState(String id, String framework) {
    this(id, framework, null);
  }

  RunState(String id, String framework, String session) {
    this.id = id;
    this.framework = framework;
    this.session = session;
  }

  /** The conversation the run's entry point named, or null. */
  public String session() {
    return session;
  }

  /** Names the run's conversation when the entry point learns it after the run started; the first name stays. */
  public synchronized void nameSession(String conversation) {
    if (session == null) {
      session = conversation;
    }
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
