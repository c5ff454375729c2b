package dev.tollgate.policy.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A map that keeps at most {@code capacity} entries, evicting the least recently used: bounds what values chosen by
 * the app or the model (sessions, partitions, call ids) can cost. Not thread-safe: used under its owner's lock.
 */
public final class Lru<K, V> {
  private final LinkedHashMap<K, V> map;

  public Lru(int capacity) {
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /** The value, created and kept when missing. */
  public V get(K key, Supplier<V> create) {
    V v = map.get(key);
    if (v == null) {
      v = create.get();
      map.put(key, v);
    }
    return v;
  }

  /** The value or null (a lookup counts as a use). */
  public V peek(K key) {
    return map.get(key);
  }

  public V remove(K key) {
    return map.remove(key);
  }

  public void put(K key, V value) {
    map.put(key, value);
  }

  public Collection<V> values() {
    return map.values();
  }
}
