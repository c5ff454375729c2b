package dev.tollgate.agent.run;

import java.util.concurrent.atomic.AtomicInteger;

/** One top-level agent invocation in progress. */
public final class RunState {
  private final String id;
  private final String framework;
  private final AtomicInteger handOffs = new AtomicInteger();
  private volatile RuntimeException halt;
  private volatile String session;
  private final long startNanos = System.nanoTime();
  // the run's totals for run.summary: plain fields under this object's lock (a run's calls rarely race, and six
  // adders per run cost more than the lock on a tool call in a run of its own)
  private long toolCalls;
  private long llmCalls;
  private long refusals;
  private long inputTokens;
  private long outputTokens;
  private long costNanos;
  /** The run itself (until it ends) plus its LLM calls not yet settled: the summary is due when it reaches 0. */
  private int open = 1;
  /** The run's own end was counted (a run may be ended both by its last callback and by the JVM stopping). */
  private boolean over;

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

  /** A tool call decided in this run. */
  public synchronized void toolCall(boolean refused) {
    toolCalls++;
    if (refused) {
      refusals++;
    }
  }

  /** An LLM call refused before it left. */
  public synchronized void llmRefused() {
    llmCalls++;
    refusals++;
  }

  /** An LLM call admitted: the summary waits for its settlement. */
  public synchronized void llmStarted() {
    llmCalls++;
    open++;
  }

  /** An admitted LLM call settled; true when that was the last thing the summary waited for. */
  public synchronized boolean llmSettled(long input, long output, long nanos) {
    inputTokens += input;
    outputTokens += output;
    costNanos += nanos;
    return --open == 0;
  }

  /**
   * The run ended; true when no LLM call is still to settle (then the summary is due now). Counted once: a second
   * end of the same run (its callback releasing it while the JVM stops) is false.
   */
  public synchronized boolean ended() {
    if (over) {
      return false;
    }
    over = true;
    return --open == 0;
  }

  /** What the run did, for its {@code run.summary} line. */
  public synchronized Summary summary() {
    return new Summary(llmCalls, toolCalls, refusals, inputTokens, outputTokens, costNanos,
        (System.nanoTime() - startNanos) / 1_000_000, halt != null);
  }

  /** A run's totals: calls, refusals, tokens and cost (nano-USD) of its settled LLM calls, and how long it lasted. */
  public record Summary(long llmCalls, long toolCalls, long refusals, long inputTokens, long outputTokens,
      long costNanos, long durationMillis, boolean halted) {}

  /** How many times the run was bound to a callback carrier: a streaming run that stops handing off is done. */
  int handOffs() {
    return handOffs.get();
  }

  void handedOff() {
    handOffs.incrementAndGet();
  }
}
