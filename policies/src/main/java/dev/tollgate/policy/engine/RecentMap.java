package dev.tollgate.policy.engine;

import dev.tollgate.policy.store.Lru;
import java.util.function.Supplier;

/**
 * A map that keeps at most {@code capacity} entries, evicting the least recently used. Bounds the memory
 * of counters keyed by values the application or the model chooses (sessions, MDC values, arguments).
 * An evicted counter is forgotten: if its key comes back, it starts from zero.
 *
 * <p>A synchronized {@link Lru}: lookups are short and never do I/O; the counters returned are updated outside the
 * lock.
 */
final class RecentMap<V> {
  private final Lru<String, V> map;

  RecentMap(int capacity) {
    this.map = new Lru<>(capacity);
  }

  synchronized V get(String key, Supplier<V> create) {
    return map.get(key, create);
  }

  /** The value without creating one (still counts as a use). */
  synchronized V peek(String key) {
    return map.peek(key);
  }

  synchronized int size() {
    return map.values().size();
  }
}
