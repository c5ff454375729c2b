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

  Partitions(Limit limit, boolean partitioned) {
    this.limit = limit;
    this.single = partitioned ? null : new Bucket(limit);
    this.keyed = partitioned ? new RecentMap<>(PolicyEngine.MAX_PARTITIONS) : null;
  }

  Bucket bucket(String key) {
    return single != null ? single : keyed.get(key, () -> new Bucket(limit));
  }

  Bucket bucketIfPresent(String key) {
    return single != null ? single : keyed.peek(key);
  }
}
