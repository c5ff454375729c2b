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

  Bucket(Limit limit) {
    this.limit = limit;
    this.calls = limit.capsCalls() ? Counter.of(limit.maxCalls(), limit.window()) : null;
    this.identical = limit.capsIdentical() ? new RecentMap<>(PolicyEngine.MAX_PARTITIONS) : null;
  }

  Counter identical(String digest) {
    return identical.get(digest, () -> Counter.of(limit.maxIdentical(), limit.window()));
  }

  Counter identicalIfPresent(String digest) {
    return identical == null ? null : identical.peek(digest);
  }
}
