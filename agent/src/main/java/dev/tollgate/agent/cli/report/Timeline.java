package dev.tollgate.agent.cli.report;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values per time bucket for the HTML report's charts, in bounded memory whatever the log's size: buckets start an
 * hour wide and, when there would be more than {@link #MAX_BUCKETS}, widen to a day, a week and then double, merging
 * what they hold. Each bucket keeps either sums (spend, calls) or the highest value seen (a budget's spend level).
 */
final class Timeline {
  static final int MAX_BUCKETS = 1000;

  private final int values;
  private final boolean highest;
  private long width = 3_600;
  private TreeMap<Long, long[]> buckets = new TreeMap<>();

  /** @param highest true to keep each bucket's highest value, false to sum */
  Timeline(int values, boolean highest) {
    this.values = values;
    this.highest = highest;
  }

  void add(Instant ts, long... v) {
    merge(buckets, Math.floorDiv(ts.getEpochSecond(), width) * width, v);
    if (buckets.size() > MAX_BUCKETS) {
      widen();
    }
  }

  /** Widens to at least {@code seconds}, so that several timelines can share one axis. */
  void widenTo(long seconds) {
    while (width < seconds) {
      widen();
    }
  }

  private void widen() {
    width = width == 3_600 ? 86_400 : width == 86_400 ? 604_800 : width * 2;
    TreeMap<Long, long[]> wider = new TreeMap<>();
    for (Map.Entry<Long, long[]> e : buckets.entrySet()) {
      merge(wider, Math.floorDiv(e.getKey(), width) * width, e.getValue());
    }
    buckets = wider;
  }

  private void merge(TreeMap<Long, long[]> into, long start, long[] v) {
    long[] bucket = into.computeIfAbsent(start, k -> new long[values]);
    for (int i = 0; i < values; i++) {
      bucket[i] = highest ? Math.max(bucket[i], v[i]) : bucket[i] + v[i];
    }
  }

  /** Bucket width in seconds. */
  long width() {
    return width;
  }

  /** Bucket start (epoch seconds) to its values, in time order. */
  Map<Long, long[]> buckets() {
    return buckets;
  }
}
