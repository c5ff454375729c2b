package dev.tollgate.policy.store;

import dev.tollgate.policy.RedisSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The {@link RedisStore} with {@code ledger.redis.on_unavailable} applied while Redis cannot be reached.
 *
 * <ul>
 *   <li>A failed step (connection refused, a command over {@code timeout}) marks Redis down for
 *       {@link #RETRY_MILLIS}: until then calls do not try it (no host thread waits on a Redis known to be down), after
 *       it the next call tries again, so the store reconnects by itself.</li>
 *   <li>{@code block}: the call is refused (the grant says the ledger is unavailable). {@code allow}: the call is
 *       admitted without holds. {@code local}: the call is decided on this JVM's own {@link LocalStore}.</li>
 *   <li>Nothing spent is lost: a settlement that cannot reach Redis, and every settlement of a call admitted while
 *       Redis was down, is kept and added to Redis once it answers again. One whose step failed is replayed under its
 *       own hold id, so that a step Redis ran before its answer was lost (a timeout) is not charged twice.</li>
 *   <li>{@code listener} hears, once per outage, {@code "degraded: <why>"} and then {@code "recovered: <n>
 *       settlements replayed"}.</li>
 * </ul>
 */
public final class FleetStore implements BudgetStore {
  /** How long a failure keeps calls from trying Redis. */
  public static final long RETRY_MILLIS = 1000;
  /** Most settlements kept for Redis while it is down (the oldest are summed into one per instance beyond it). */
  static final int MAX_REPLAY = 100_000;

  private final RedisStore redis;
  private final LocalStore local;
  private final RedisSettings.OnUnavailable mode;
  private final Consumer<String> listener;
  private final Set<String> localHolds = ConcurrentHashMap.newKeySet();
  private final Map<String, Pending> replay = new LinkedHashMap<>();
  private volatile long downUntil = Long.MIN_VALUE;
  private volatile String downBecause;
  private volatile boolean degraded;
  private long replayId;
  /** Settlements replayed since Redis went down. */
  private final java.util.concurrent.atomic.AtomicInteger replayed = new java.util.concurrent.atomic.AtomicInteger();

  public FleetStore(RedisStore redis, LocalStore local, Consumer<String> listener) {
    this.redis = redis;
    this.local = local;
    this.mode = redis.settings().onUnavailable();
    this.listener = listener == null ? s -> {} : listener;
  }

  @Override
  public Grant reserve(String holdId, List<Claim> claims, long nowMillis) {
    if (ready()) {
      try {
        Grant g = redis.reserve(holdId, claims, nowMillis);
        answered();
        return g;
      } catch (StoreUnavailableException e) {
        down(e.getMessage());
      }
    }
    String why = downBecause;
    return switch (mode) {
      case BLOCK -> Grant.refusedUnavailable(why, claims.size());
      case ALLOW -> {
        if (holdId != null) {
          localHolds.add(holdId);
        }
        yield Grant.allowedUnavailable(why, claims.size());
      }
      case LOCAL -> {
        Grant g = local.reserve(holdId, claims, nowMillis);
        if (holdId != null && g.granted()) {
          localHolds.add(holdId);
        }
        yield new Grant(g.granted(), g.seen(), why);
      }
    };
  }

  @Override
  public List<Settled> settle(String holdId, List<Claim> claims, long nanos, long tokens, long nowMillis) {
    if (localHolds.remove(holdId)) {
      keep(null, claims, nanos, tokens);
      return mode == RedisSettings.OnUnavailable.LOCAL ? local.settle(holdId, claims, nanos, tokens, nowMillis) : null;
    }
    if (ready()) {
      try {
        List<Settled> settled = redis.settle(holdId, claims, nanos, tokens, nowMillis);
        answered();
        return settled;
      } catch (StoreUnavailableException e) {
        down(e.getMessage());
      }
    }
    // Redis may have run it and only the answer was lost (a timeout): replayed under its hold id, whose done marker
    // makes it count once either way
    keep(holdId, claims, nanos, tokens);
    return null;
  }

  @Override
  public void cancel(String holdId, List<Claim> claims, long nowMillis) {
    if (localHolds.remove(holdId)) {
      if (mode == RedisSettings.OnUnavailable.LOCAL) {
        local.cancel(holdId, claims, nowMillis);
      }
      return;
    }
    if (ready()) {
      try {
        redis.cancel(holdId, claims, nowMillis);
        answered();
      } catch (StoreUnavailableException e) {
        down(e.getMessage()); // the hold expires by itself; the count stays (at worst a limit is briefly under-used)
      }
    }
  }

  @Override
  public int expire(long nowMillis) {
    return local.expire(nowMillis);
  }

  @Override
  public void endRun(String runId) {
    local.endRun(runId);
  }

  @Override
  public List<KeyState> states() {
    return redis.states();
  }

  /** The Redis store behind this one (for its audit journal). */
  public RedisStore redis() {
    return redis;
  }

  /** Resets in Redis (where the fleet's instances are); a Redis that is down is an error, never a local reset. */
  @Override
  public List<KeyState> reset(Claim.Kind kind, String name, String partition, String period) {
    return redis.reset(kind, name, partition, period);
  }

  @Override
  public boolean shared() {
    return true;
  }

  /** How long a reservation is held before it expires by itself ({@code ledger.redis.hold_ttl}). */
  public java.time.Duration holdTtl() {
    return redis.settings().holdTtl();
  }

  /** True while calls are decided without Redis. */
  public boolean degraded() {
    return degraded;
  }

  /** Settlements waiting for Redis. */
  public int waiting() {
    synchronized (replay) {
      return replay.size();
    }
  }

  @Override
  public void close() {
    if (!ready() && waiting() > 0) {
      // nothing more can be done at shutdown: said in the listener's last words
      listener.accept("unreplayed: " + waiting() + " settlements could not reach Redis before shutdown");
    }
    redis.close();
  }

  private boolean up() {
    return System.currentTimeMillis() >= downUntil;
  }

  private void down(String why) {
    downBecause = why;
    downUntil = System.currentTimeMillis() + RETRY_MILLIS;
    if (!degraded) {
      degraded = true;
      listener.accept("degraded: " + why);
    }
  }

  /**
   * True when Redis may be asked now: it is not marked down, and what was kept while it was down has been added to
   * it first (so the next decision sees that spend).
   */
  private boolean ready() {
    if (!up()) {
      return false;
    }
    if (!degraded && waiting() == 0) {
      return true;
    }
    try {
      replayed.addAndGet(flush());
      return true;
    } catch (StoreUnavailableException e) {
      down(e.getMessage());
      return false;
    }
  }

  /**
   * A Redis command just succeeded: after an outage, that is when Redis is back (an empty replay proves nothing).
   */
  private void answered() {
    if (degraded) {
      synchronized (replay) {
        if (!degraded) {
          return;
        }
        degraded = false;
        listener.accept("recovered: " + replayed.getAndSet(0) + " settlements replayed");
      }
    }
  }

  /** Adds what was kept to Redis, oldest first; throws (keeping the rest) when Redis fails again. */
  private int flush() {
    int replayed = 0;
    while (true) {
      Pending next;
      synchronized (replay) {
        var it = replay.entrySet().iterator();
        if (!it.hasNext()) {
          return replayed;
        }
        next = it.next().getValue();
        it.remove();
      }
      try {
        redis.settle(next.id, next.claims, next.nanos, next.tokens, 0);
        replayed++;
      } catch (StoreUnavailableException e) {
        synchronized (replay) {
          replay.put(next.id, next);
        }
        throw e;
      }
    }
  }

  /**
   * Keeps a settlement for Redis: under {@code holdId} when Redis may already have it (its settle failed), so that
   * the replay is a no-op if it did; else (null) under a new id.
   */
  private void keep(String holdId, List<Claim> claims, long nanos, long tokens) {
    if (nanos == 0 && tokens == 0) {
      return;
    }
    List<Claim> budgets = claims.stream().filter(c -> c.kind() == Claim.Kind.BUDGET).toList();
    if (budgets.isEmpty()) {
      return;
    }
    synchronized (replay) {
      if (replay.size() < MAX_REPLAY) {
        String id = holdId != null ? holdId : nextReplayId();
        replay.put(id, new Pending(id, budgets, nanos, tokens));
        return;
      }
      for (Claim c : budgets) {
        replay.merge(c.key(), new Pending(nextReplayId(), List.of(c), nanos, tokens), Pending::plus);
      }
    }
  }

  private String nextReplayId() {
    return "replay-" + Long.toHexString(System.nanoTime()) + "-" + (++replayId);
  }

  /** Spend kept for Redis: the budget instances of one settlement, the amounts, and the id it is replayed under. */
  private record Pending(String id, List<Claim> claims, long nanos, long tokens) {
    Pending plus(Pending other) {
      return new Pending(id, claims, Claim.saturatedAdd(nanos, other.nanos), Claim.saturatedAdd(tokens, other.tokens));
    }
  }

  /** The claims kept for Redis (for tests). */
  List<String> waitingKeys() {
    synchronized (replay) {
      List<String> keys = new ArrayList<>();
      replay.values().forEach(p -> p.claims.forEach(c -> keys.add(c.key())));
      return keys;
    }
  }
}
