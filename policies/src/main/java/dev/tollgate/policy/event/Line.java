package dev.tollgate.policy.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One log line read back as plain values (String, Long, BigDecimal, Boolean, List, Map), with typed getters that
 * forgive what a hand-edited or older log may hold: a missing field is null, a number written as text is read.
 */
public final class Line {
  private final Map<String, Object> values;

  public Line(Map<String, Object> values) {
    this.values = values;
  }

  public Map<String, Object> values() {
    return values;
  }

  public Instant ts() {
    Object ts = values.get("ts");
    return ts == null ? null : Instant.parse(ts.toString());
  }

  public String event() {
    return text("event");
  }

  public boolean has(String name) {
    return values.get(name) != null;
  }

  public String text(String name) {
    Object v = values.get(name);
    return v == null ? null : v.toString();
  }

  public Long whole(String name) {
    BigDecimal d = decimal(name);
    return d == null ? null : d.longValue();
  }

  public long whole(String name, long absent) {
    Long v = whole(name);
    return v == null ? absent : v;
  }

  public Integer integer(String name) {
    Long v = whole(name);
    return v == null ? null : Math.toIntExact(v);
  }

  public Double number(String name) {
    BigDecimal d = decimal(name);
    return d == null ? null : d.doubleValue();
  }

  /** A USD field as exact nano-dollars. */
  public Long nanos(String name) {
    BigDecimal d = decimal(name);
    return d == null ? null : Usd.nanos(d);
  }

  public BigDecimal decimal(String name) {
    Object v = values.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof Long || v instanceof Integer) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    try {
      return new BigDecimal(v.toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public Boolean flag(String name) {
    Object v = values.get(name);
    return v == null ? null : v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString());
  }

  public boolean flag(String name, boolean absent) {
    Boolean v = flag(name);
    return v == null ? absent : v;
  }

  public <E extends Enum<E>> E choice(String name, Class<E> type) {
    String v = text(name);
    if (v == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, v.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public List<String> texts(String name) {
    Object v = values.get(name);
    if (!(v instanceof List<?> list)) {
      return null;
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      out.add(o == null ? null : o.toString());
    }
    return out;
  }

  /** A list of objects, each as a map (items that are not objects are left out). */
  public List<Map<String, Object>> objects(String name) {
    Object v = values.get(name);
    if (!(v instanceof List<?> list)) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (o instanceof Map<?, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        m.forEach((k, val) -> copy.put(String.valueOf(k), val));
        out.add(copy);
      }
    }
    return out;
  }

  /** A list of objects, each as a line of its own. */
  public List<Line> lines(String name) {
    List<Map<String, Object>> objects = objects(name);
    if (objects == null) {
      return null;
    }
    List<Line> out = new ArrayList<>(objects.size());
    for (Map<String, Object> m : objects) {
      out.add(new Line(m));
    }
    return out;
  }
}
