package dev.tollgate.policy.store;

import dev.tollgate.policy.event.AuditEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Budget and limit caps as operators changed them: {@code budget override} (which may end by itself) and {@code approve}
 * (which raises the cap of the instance a paused call waited on: a budget's USD limit, a limit's {@code max_calls}),
 * read from the audit journal by every JVM of the store. The policy's cap is the base; the latest active
 * {@code --set-usd} replaces it; every active addition is added on top. Lock-free for the call path: one volatile read
 * when nothing was ever changed.
 */
public final class Adjustments {
  private volatile List<AuditEvent> raises = List.of();
  private volatile long version;

  /** Takes an override or an approval into account (other records are ignored). */
  public synchronized void add(AuditEvent e) {
    if (e.action() != AuditEvent.Action.OVERRIDE && e.action() != AuditEvent.Action.APPROVE) {
      return;
    }
    List<AuditEvent> next = new ArrayList<>(raises);
    next.add(e);
    raises = List.copyOf(next);
    version++;
  }

  /** Changes with every override or approval taken in: a paused call asks again when it moves. */
  public long version() {
    return version;
  }

  /** The USD limit (nano-USD; negative: none) of one instance of budget {@code name} at {@code nowMillis}. */
  public long capNanos(String name, String partition, String period, long base, long nowMillis) {
    List<AuditEvent> all = raises;
    if (all.isEmpty()) {
      return base;
    }
    long cap = base;
    long added = 0;
    for (AuditEvent e : all) {
      if (!e.aboutLimit() && applies(e, name, partition, period, nowMillis)) {
        if (e.set() != null) {
          cap = e.set();
          added = 0; // what was added before a set is part of what the operator set
        }
        if (e.add() != null) {
          added = Claim.saturatedAdd(added, e.add());
        }
      }
    }
    return cap < 0 ? cap : Claim.saturatedAdd(cap, added);
  }

  /** The token limit (negative: none) of one instance of budget {@code name} at {@code nowMillis}. */
  public long capTokens(String name, String partition, String period, long base, long nowMillis) {
    List<AuditEvent> all = raises;
    if (all.isEmpty() || base < 0) {
      return base;
    }
    long cap = base;
    for (AuditEvent e : all) {
      if (e.addTokens() != null && !e.aboutLimit() && applies(e, name, partition, period, nowMillis)) {
        cap = Claim.saturatedAdd(cap, e.addTokens());
      }
    }
    return cap;
  }

  /**
   * The {@code max_calls} of one instance of limit {@code name} at {@code nowMillis}: {@code base} plus every
   * approval (and override) of it in force. {@code period} is the instance: the run, the session or {@code process}.
   * Without any change ever taken in, this is one volatile read.
   */
  public long capCalls(String name, String partition, String period, long base, long nowMillis) {
    List<AuditEvent> all = raises;
    if (all.isEmpty() || base < 0) {
      return base;
    }
    long cap = base;
    for (AuditEvent e : all) {
      if (e.addCalls() != null && e.aboutLimit() && applies(e, name, partition, period, nowMillis)) {
        cap = Claim.saturatedAdd(cap, e.addCalls());
      }
    }
    return cap;
  }

  private static boolean applies(AuditEvent e, String name, String partition, String period, long nowMillis) {
    return e.limit() != null && e.limit().equals(name)
        && (e.partition() == null || e.partition().equals(partition))
        && (e.period() == null || e.period().equals(period))
        && (e.until() == null || nowMillis < e.until().toEpochMilli());
  }
}
