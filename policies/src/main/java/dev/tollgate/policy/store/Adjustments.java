package dev.tollgate.policy.store;

import dev.tollgate.policy.event.AuditEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
  /** Ids of requests answered (approved, denied, timed out, released) since they were made: guarded by this. */
  private final Set<String> answered = new HashSet<>();

  /**
   * Takes the journal's next record into account, in the journal's order: an override, or an approval that is its
   * request's first answer, raises a cap; a request, deny, timeout or release only says which answer came first.
   * An approval after its request's answer (a second operator's, one for a call that timed out or was released or
   * denied meanwhile) raises nothing: its call is over. False for such a late answer (approve or deny): it decides
   * nothing.
   */
  public synchronized boolean add(AuditEvent e) {
    switch (e.action()) {
      case REQUEST -> {
        answered.remove(e.id()); // an id made again (8 hex digits): a new call
        return true;
      }
      case APPROVE, DENY, TIMEOUT, RELEASE -> {
        if (!answered.add(e.id())) {
          return false;
        }
        if (e.action() != AuditEvent.Action.APPROVE) {
          return true;
        }
      }
      case OVERRIDE -> { }
      default -> {
        return true;
      }
    }
    List<AuditEvent> next = new ArrayList<>(raises);
    next.add(e);
    raises = List.copyOf(next);
    version++;
    return true;
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
