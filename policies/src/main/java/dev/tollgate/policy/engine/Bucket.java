package dev.tollgate.policy.engine;

import dev.tollgate.policy.Limit;
import dev.tollgate.policy.store.Counter;

/** The counters of one limit in one scope instance and partition. */
final class Bucket {
  /** {@code max_calls}; null when the limit has none. */
  final Counter calls;
  /** {@code max_identical}: one counter per tool-and-arguments digest; null when the limit has none. */
  private final RecentMap<Counter> identical;
  private final Limit limit;

  /** The bucket this one carries on after a reload (its counts seed this one's), or null. */
  private final Bucket previous;
  private final long now;

  Bucket(Limit limit) {
    this(limit, null, 0);
  }

  /** After a reload: starts from {@code previous}'s counts at {@code now} (null: from zero). */
  Bucket(Limit limit, Bucket previous, long now) {
    this.limit = limit;
    this.previous = previous;
    this.now = now;
    this.calls = !limit.capsCalls() ? null : previous != null && previous.calls != null
        ? Counter.carried(previous.calls, limit.maxCalls(), limit.window(), now)
        : Counter.of(limit.maxCalls(), limit.window());
    this.identical = limit.capsIdentical() ? new RecentMap<>(PolicyEngine.MAX_PARTITIONS) : null;
  }

  Counter identical(String digest) {
    return identical.get(digest, () -> {
      Counter before = previous == null ? null : previous.identicalIfPresent(digest);
      return before == null ? Counter.of(limit.maxIdentical(), limit.window())
          : Counter.carried(before, limit.maxIdentical(), limit.window(), now);
    });
  }

  Counter identicalIfPresent(String digest) {
    return identical == null ? null : identical.peek(digest);
  }
}
