package dev.tollgate.policy.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A map that keeps at most {@code capacity} entries, evicting the least recently used. Bounds the memory
 * of counters keyed by values the application or the model chooses (sessions, MDC values, arguments).
 * An evicted counter is forgotten: if its key comes back, it starts from zero.
 *
 * <p>Synchronized: lookups are short and never do I/O; the counters returned are updated outside the lock.
 */
final class RecentMap<V> {
  private final LinkedHashMap<String, V> map;

  RecentMap(int capacity) {
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized V get(String key, Supplier<V> create) {
    V value = map.get(key);
    if (value == null) {
      value = create.get();
      map.put(key, value);
    }
    return value;
  }

  /** The value without creating one (still counts as a use). */
  synchronized V peek(String key) {
    return map.get(key);
  }

  synchronized int size() {
    return map.size();
  }
}
