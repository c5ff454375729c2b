package dev.tollgate.policy.engine;

import dev.tollgate.policy.Limit;

/**
 * The buckets of one limit in one scope instance: a single one when nothing partitions the counters, else
 * at most {@link PolicyEngine#MAX_PARTITIONS} of them, least recently used evicted.
 */
final class Partitions {
  private final Limit limit;
  private final Bucket single;
  private final RecentMap<Bucket> keyed;

  /** The partitions of the same limit before a reload, whose counts each bucket here starts from; or null. */
  private final Partitions previous;
  private final java.time.Clock clock;

  Partitions(Limit limit, boolean partitioned) {
    this(limit, partitioned, null, null);
  }

  /** After a reload: each bucket starts from {@code previous}'s bucket of the same key, when it has one. */
  Partitions(Limit limit, boolean partitioned, Partitions previous, java.time.Clock clock) {
    this.limit = limit;
    this.previous = previous;
    this.clock = clock;
    this.single = partitioned ? null
        : new Bucket(limit, previous == null ? null : previous.single, clock == null ? 0 : clock.millis());
    this.keyed = partitioned ? new RecentMap<>(PolicyEngine.MAX_PARTITIONS) : null;
  }

  Bucket bucket(String key) {
    return single != null ? single : keyed.get(key, () -> previous == null ? new Bucket(limit)
        : new Bucket(limit, previous.bucketIfPresent(key), clock.millis()));
  }

  Bucket bucketIfPresent(String key) {
    return single != null ? single : keyed.peek(key);
  }
}
