package dev.tollgate.policy.store;

import dev.tollgate.policy.budget.Ledger;
import dev.tollgate.policy.budget.Totals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The store of one JVM: every instance in memory, day, month and total budgets loaded from and recorded in a
 * {@link Ledger} (the file ledger) so that a restart does not reset them. One lock guards everything; it is never
 * held across anything slower than a ledger append.
 *
 * <p>Memory: at most {@link #MAX_INSTANCES} instances per budget or limit (per run for run instances), least recently
 * used evicted: an evicted instance starts again from zero (persistent ones from the ledger), and reservations in
 * flight on it settle into the forgotten instance. At most {@link #MAX_INSTANCES} settled hold ids are remembered.
 */
public final class LocalStore implements BudgetStore {
  /** Most instances one budget or limit keeps (as many per run for run instances). */
  public static final int MAX_INSTANCES = 10_000;

  private final Ledger ledger;
  private final long holdTtlMillis;
  private final java.time.Clock clock;
  private final Object lock = new Object();
  private final Map<String, Lru<String, Slot>> byName = new HashMap<>();
  private final Map<String, Map<String, Lru<String, Slot>>> runs = new HashMap<>();
  private final Map<String, Hold> holds = new HashMap<>();
  private final Lru<String, Boolean> done = new Lru<>(MAX_INSTANCES);
  private long errors;

  /**
   * @param ledger  where persistent instances (day, month, total budgets) load from and record to
   * @param holdTtl age at which {@link #expire} returns a reservation
   * @param clock   for the call counts {@link #states} reports
   */
  public LocalStore(Ledger ledger, Duration holdTtl, java.time.Clock clock) {
    this.ledger = ledger == null ? Ledger.none() : ledger;
    this.holdTtlMillis = holdTtl.toMillis();
    this.clock = clock;
  }

  /** A store that persists nothing. */
  public static LocalStore inMemory(Duration holdTtl, java.time.Clock clock) {
    return new LocalStore(Ledger.none(), holdTtl, clock);
  }

  @Override
  public Grant reserve(String holdId, List<Claim> claims, long nowMillis) {
    synchronized (lock) {
      List<Slot> slots = new ArrayList<>(claims.size());
      List<Seen> seen = new ArrayList<>(claims.size());
      boolean refuse = false;
      for (Claim c : claims) {
        Slot slot = slot(c);
        slots.add(slot);
        Seen s = slot.see(c, nowMillis);
        seen.add(s);
        refuse |= s.over() && c.enforcing();
      }
      for (int i = 0; i < claims.size(); i++) {
        if (seen.get(i).over()) {
          Seen s = seen.get(i);
          seen.set(i, new Seen(s.spentNanos(), s.reservedNanos(), s.spentTokens(), s.reservedTokens(), s.calls(), true,
              s.overUsd(), slots.get(i).firstBreach()));
        }
      }
      if (refuse) {
        return new Grant(false, seen, null);
      }
      for (int i = 0; i < claims.size(); i++) {
        slots.get(i).take(claims.get(i), nowMillis);
      }
      if (holdId != null) {
        holds.put(holdId, new Hold(nowMillis, slots, claims));
      }
      return new Grant(true, seen, null);
    }
  }

  @Override
  public List<Settled> settle(String holdId, List<Claim> claims, long nanos, long tokens, long nowMillis) {
    synchronized (lock) {
      if (done.peek(holdId) != null) {
        return null;
      }
      done.put(holdId, Boolean.TRUE);
      Hold hold = holds.remove(holdId);
      boolean late = hold == null; // expired (or never held here): charge without a reservation to return
      List<Settled> result = new ArrayList<>(claims.size());
      for (int i = 0; i < claims.size(); i++) {
        Claim c = claims.get(i);
        if (c.kind() != Claim.Kind.BUDGET) {
          result.add(null);
          continue;
        }
        Slot slot = late ? slot(c) : hold.slots.get(i);
        if (!late) {
          slot.reservedNanos -= c.nanos();
          slot.reservedTokens -= c.tokens();
        }
        result.add(slot.charge(c, nanos, tokens));
      }
      return result;
    }
  }

  @Override
  public void cancel(String holdId, List<Claim> claims, long nowMillis) {
    synchronized (lock) {
      Hold hold = holds.remove(holdId);
      if (hold == null) {
        return;
      }
      done.put(holdId, Boolean.TRUE);
      for (int i = 0; i < claims.size(); i++) {
        hold.slots.get(i).giveBack(claims.get(i), hold.createdMillis);
      }
    }
  }

  @Override
  public int expire(long nowMillis) {
    synchronized (lock) {
      int expired = 0;
      for (Iterator<Hold> it = holds.values().iterator(); it.hasNext(); ) {
        Hold hold = it.next();
        if (nowMillis - hold.createdMillis >= holdTtlMillis) {
          it.remove();
          for (int i = 0; i < hold.slots.size(); i++) {
            Slot slot = hold.slots.get(i);
            slot.reservedNanos -= hold.reservedNanos[i];
            slot.reservedTokens -= hold.reservedTokens[i];
          }
          expired++;
        }
      }
      return expired;
    }
  }

  /** Holds not yet settled, released, cancelled or expired. */
  public int holds() {
    synchronized (lock) {
      return holds.size();
    }
  }

  @Override
  public void endRun(String runId) {
    if (runId != null) {
      synchronized (lock) {
        runs.remove(runId);
      }
    }
  }

  @Override
  public List<KeyState> states() {
    synchronized (lock) {
      List<KeyState> states = new ArrayList<>();
      for (Lru<String, Slot> slots : byName.values()) {
        slots.values().forEach(s -> states.add(s.state()));
      }
      for (Map<String, Lru<String, Slot>> run : runs.values()) {
        for (Lru<String, Slot> slots : run.values()) {
          slots.values().forEach(s -> states.add(s.state()));
        }
      }
      return states;
    }
  }

  @Override
  public List<KeyState> reset(Claim.Kind kind, String name, String partition, String period) {
    String family = (kind == Claim.Kind.BUDGET ? "b:" : "c:") + name;
    List<KeyState> before = new ArrayList<>();
    synchronized (lock) {
      List<Lru<String, Slot>> families = new ArrayList<>();
      if (byName.containsKey(family)) {
        families.add(byName.get(family));
      }
      for (Map<String, Lru<String, Slot>> run : runs.values()) {
        if (run.containsKey(family)) {
          families.add(run.get(family));
        }
      }
      for (Lru<String, Slot> slots : families) {
        for (Slot slot : slots.values()) {
          Claim c = slot.origin;
          if ((partition == null || partition.equals(c.partition())) && (period == null || period.equals(c.period()))) {
            before.add(slot.state());
            slot.reset();
          }
        }
      }
    }
    return before;
  }

  /** The instance as it is now, without creating it (for tests and status); null when it is not held. */
  public KeyState state(Claim c) {
    synchronized (lock) {
      Lru<String, Slot> slots = c.run() != null ? runs.getOrDefault(c.run(), Map.of()).get(family(c)) : byName.get(family(c));
      Slot slot = slots == null ? null : slots.peek(c.key());
      return slot == null ? null : slot.state();
    }
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public long errors() {
    synchronized (lock) {
      return errors;
    }
  }

  // ---- instances -------------------------------------------------------------------------------------------

  private static String family(Claim c) {
    return (c.kind() == Claim.Kind.BUDGET ? "b:" : "c:") + c.name();
  }

  private Slot slot(Claim c) {
    if (c.ephemeral()) {
      return new Slot(c, Totals.ZERO);
    }
    Lru<String, Slot> slots = c.run() != null
        ? runs.computeIfAbsent(c.run(), r -> new HashMap<>()).computeIfAbsent(family(c), f -> new Lru<>(MAX_INSTANCES))
        : byName.computeIfAbsent(family(c), f -> new Lru<>(MAX_INSTANCES));
    String key = c.key();
    Slot slot = slots.peek(key);
    if (slot == null) {
      slot = new Slot(c, c.persistent() ? load(c) : Totals.ZERO);
      slots.put(key, slot);
    }
    return slot;
  }

  private Totals load(Claim c) {
    try {
      return ledger.load(c.name(), c.partition(), c.period());
    } catch (RuntimeException e) {
      errors++;
      return Totals.ZERO;
    }
  }

  /** One budget or limit instance. Guarded by the store's lock. */
  private final class Slot {
    final Claim origin;
    Counter counter;
    long spentNanos;
    long reservedNanos;
    long spentTokens;
    long reservedTokens;
    long warned;
    boolean breached;
    boolean exceeded;

    Slot(Claim origin, Totals start) {
      this.origin = origin;
      this.counter = origin.kind() == Claim.Kind.COUNT
          ? Counter.of(origin.capCalls(), origin.windowMillis() < 0 ? null : Duration.ofMillis(origin.windowMillis()))
          : null;
      this.spentNanos = start.nanos();
      this.spentTokens = start.tokens();
    }

    Seen see(Claim c, long now) {
      if (counter != null) {
        long calls = counter.calls(now);
        return new Seen(0, 0, 0, 0, calls, calls >= c.capCalls(), false, false);
      }
      boolean overUsd = Claim.over(spentNanos, reservedNanos, c.nanos(), c.capNanos());
      boolean overTokens = Claim.over(spentTokens, reservedTokens, c.tokens(), c.capTokens());
      return new Seen(spentNanos, reservedNanos, spentTokens, reservedTokens, 0, overUsd || overTokens, overUsd, false);
    }

    void take(Claim c, long now) {
      if (counter != null) {
        counter.countAnyway(now, c.capCalls());
      } else {
        reservedNanos = Claim.saturatedAdd(reservedNanos, c.nanos());
        reservedTokens = Claim.saturatedAdd(reservedTokens, c.tokens());
      }
    }

    void giveBack(Claim c, long takenAt) {
      if (counter != null) {
        counter.giveBack(takenAt);
      } else {
        reservedNanos -= c.nanos();
        reservedTokens -= c.tokens();
      }
    }

    Settled charge(Claim c, long nanos, long tokens) {
      spentNanos = Claim.saturatedAdd(spentNanos, nanos);
      spentTokens = Claim.saturatedAdd(spentTokens, tokens);
      if (c.persistent() && !c.ephemeral() && (nanos != 0 || tokens != 0)) {
        try {
          ledger.record(c.name(), c.partition(), c.period(), nanos, tokens);
        } catch (RuntimeException e) {
          errors++;
        }
      }
      List<Integer> crossed = new ArrayList<>(0);
      long[] wn = c.warnNanos();
      long[] wt = c.warnTokens();
      for (int f = 0; f < Math.max(wn.length, wt.length) && f < 63; f++) {
        boolean reached = f < wn.length && spentNanos >= wn[f] || f < wt.length && spentTokens >= wt[f];
        if (reached && (warned & (1L << f)) == 0) {
          warned |= 1L << f;
          crossed.add(f);
        }
      }
      boolean over = c.capNanos() >= 0 && spentNanos > c.capNanos() || c.capTokens() >= 0 && spentTokens > c.capTokens();
      boolean first = over && !exceeded;
      exceeded |= over;
      return new Settled(spentNanos, reservedNanos, spentTokens, reservedTokens, crossed, over, first);
    }

    void reset() {
      if (counter != null) {
        Claim o = origin;
        counter = Counter.of(o.capCalls(), o.windowMillis() < 0 ? null : Duration.ofMillis(o.windowMillis()));
      }
      spentNanos = 0;
      spentTokens = 0;
      warned = 0;
      breached = false;
      exceeded = false;
      Claim c = origin;
      if (c.persistent() && !c.ephemeral()) {
        try {
          ledger.reset(c.name(), c.partition(), c.period());
        } catch (RuntimeException e) {
          errors++;
        }
      }
    }

    boolean firstBreach() {
      boolean first = !breached;
      breached = true;
      return first;
    }

    KeyState state() {
      Claim c = origin;
      return new KeyState(c.kind(), c.name(), c.scope(), c.period(), c.partition(), c.detail(), spentNanos,
          reservedNanos, spentTokens, reservedTokens, counter == null ? 0 : counter.calls(clock.millis()));
    }
  }

  /** A reservation in flight: when it was made and the instances it holds, per claim. */
  private static final class Hold {
    final long createdMillis;
    final List<Slot> slots;
    final long[] reservedNanos;
    final long[] reservedTokens;

    Hold(long createdMillis, List<Slot> slots, List<Claim> claims) {
      this.createdMillis = createdMillis;
      this.slots = slots;
      this.reservedNanos = new long[slots.size()];
      this.reservedTokens = new long[slots.size()];
      for (int i = 0; i < claims.size(); i++) {
        reservedNanos[i] = claims.get(i).nanos();
        reservedTokens[i] = claims.get(i).tokens();
      }
    }
  }
}
