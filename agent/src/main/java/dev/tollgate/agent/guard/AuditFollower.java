package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.KeyState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Follows the store's audit journal from a daemon thread ({@code tollgate-audit}), every {@value #POLL_MILLIS} ms, and
 * carries out what operators decided: a reset clears this JVM's instances of the budget, an override or approval
 * raises its limit, an approval's answer wakes the call paused for it. Each applied record is logged
 * ({@code budget.reset}, {@code budget.override}, {@code approval.granted}, {@code approval.denied}).
 *
 * <p>At start the whole journal is read: overrides and approvals still in force apply at once (silently: they were
 * logged when made); resets and answers before this JVM started are history. A journal that does not verify stops the
 * follower at that line, with one warning on stderr: nothing forged is applied.
 */
public final class AuditFollower {
  static final long POLL_MILLIS = 500;
  private static final Logger LOG = Diagnostics.logger(AuditFollower.class);
  private final AuditJournal journal;
  /** Swapped by a policy reload (the same stores and adjustments, the new policy's budgets). */
  private volatile LlmGovernor governor;
  private final EnforcementLog log;
  private final Map<String, Consumer<AuditEvent>> waiting = new ConcurrentHashMap<>();
  private volatile AuditJournal.Page page = AuditJournal.Page.START;
  private volatile Thread thread;
  /** Whether the journal as it was at start has been read (with this held): until then, every read is that one. */
  private boolean baselineRead;
  private boolean warned;

  /** After a policy reload: resets and overrides are applied through the new policy's governor. */
  public void reload(LlmGovernor next) {
    this.governor = next;
  }

  public AuditFollower(AuditJournal journal, LlmGovernor governor, EnforcementLog log) {
    this.journal = journal;
    this.governor = governor;
    this.log = log;
  }

  public AuditJournal journal() {
    return journal;
  }

  /** Reads the journal as it is (off the caller's thread) and follows it from there. */
  public void start() {
    Thread t = new Thread(this::followForever, "tollgate-audit");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  public void stop() {
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  /** Calls {@code answer} with the approval or denial of request {@code id} when it is read. */
  void awaitAnswer(String id, Consumer<AuditEvent> answer) {
    waiting.put(id, answer);
  }

  void forget(String id) {
    waiting.remove(id);
  }

  /** Reads what is new now (the paused call's thread asks for it, not to wait a whole poll). */
  void poll() {
    synchronized (this) {
      if (!baselineRead) {
        readBaseline(); // the start's read failed: what the journal held is still history, not news
        return;
      }
      try {
        AuditJournal.Page next = journal.readAfter(page);
        for (AuditEvent e : next.records()) {
          apply(e, true);
        }
        page = next;
        warned = false;
      } catch (Exception e) {
        unreadable(e);
      }
    }
  }

  /** Once per spell of trouble (it is reset by the next good read): a journal that cannot be read or verified. */
  private void unreadable(Exception e) {
    if (!warned) {
      warned = true;
      LOG.warn("cannot read the audit journal ({}); operators' resets, overrides and approvals are not applied "
          + "until it can be read", e.getMessage());
    }
  }

  /**
   * With this held: the whole journal, applied silently (overrides and approvals in force; resets are history). Read
   * again by every poll until it succeeds: a journal that cannot be read at start (Redis down) is not replayed as news
   * later, which would apply old resets again and log every old record as made now. Records made while it could not
   * be read are taken as history too.
   */
  private void readBaseline() {
    try {
      AuditJournal.Page all = journal.readAll();
      for (AuditEvent e : all.records()) {
        apply(e, false);
      }
      page = all;
      baselineRead = true;
      warned = false;
    } catch (Exception e) {
      unreadable(e);
    }
  }

  private void followForever() {
    synchronized (this) {
      readBaseline();
    }
    while (!Thread.currentThread().isInterrupted()) {
      try {
        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      poll();
    }
  }

  private void apply(AuditEvent e, boolean live) {
    switch (e.action()) {
      case OVERRIDE -> {
        governor.adjustments().add(e);
        if (live) {
          log.write(e);
        }
      }
      case APPROVE, DENY -> {
        if (!governor.adjustments().add(e)) {
          return; // its call had its answer already (timed out, released, answered by another operator)
        }
        Consumer<AuditEvent> answer = waiting.remove(e.id());
        if (live) {
          log.write(e);
        }
        if (answer != null) {
          answer.accept(e);
        }
      }
      case RESET -> {
        if (live) {
          long before = 0;
          for (KeyState s : governor.localStore().reset(Claim.Kind.BUDGET, e.limit(), e.partition(), e.period())) {
            before += s.spentNanos();
          }
          long total = governor.sharedStore() == governor.localStore() || e.before() == null ? before
              : before + e.before();
          log.write(e.applied(total, 0L));
        }
      }
      default -> governor.adjustments().add(e); // requests, timeouts, releases: the JVM that wrote them logged them
    }
  }
}
