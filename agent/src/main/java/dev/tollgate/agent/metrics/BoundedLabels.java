package dev.tollgate.agent.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Counter cells keyed by a label value a model or an app chooses (a tool name, a model name): the first {@code cap}
 * distinct values get cells of their own, every later one shares the {@link #OTHER} cells, so a hostile model cannot
 * grow the metrics without bound. Looking up a known value is one lock-free map read; a value is admitted once.
 */
final class BoundedLabels<C> {
  static final String OTHER = "other";
  static final String UNKNOWN = "unknown";
  /** Longer values are folded into {@link #OTHER}: a label is a name, not a payload. */
  static final int MAX_LENGTH = 128;

  private final int cap;
  private final Supplier<C> cells;
  private final ConcurrentHashMap<String, C> known = new ConcurrentHashMap<>();
  private final AtomicInteger admitted = new AtomicInteger();
  private final C other;

  BoundedLabels(int cap, Supplier<C> cells) {
    this.cap = cap;
    this.cells = cells;
    this.other = cells.get();
  }

  /** The cells counting {@code value}: its own while fewer than {@code cap} values were seen, else the shared ones. */
  C cells(String value) {
    if (value == null) {
      value = UNKNOWN;
    }
    C c = known.get(value);
    if (c != null) {
      return c;
    }
    if (value.length() > MAX_LENGTH || value.equals(OTHER) || admitted.get() >= cap) {
      return other;
    }
    if (admitted.incrementAndGet() > cap) {
      return other;
    }
    C fresh = cells.get();
    C raced = known.putIfAbsent(value, fresh);
    if (raced != null) {
      admitted.decrementAndGet();
      return raced;
    }
    return fresh;
  }

  /** Every label value with its cells, {@link #OTHER} last (read when metrics are read, never on the call path). */
  void forEach(java.util.function.BiConsumer<String, C> each) {
    for (Map.Entry<String, C> e : known.entrySet()) {
      each.accept(e.getKey(), e.getValue());
    }
    each.accept(OTHER, other);
  }

  int distinct() {
    return known.size();
  }
}
