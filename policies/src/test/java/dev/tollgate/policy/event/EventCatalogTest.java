package dev.tollgate.policy.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The log's schema is the sealed set of {@link LogEvent} records: every record reads back what it writes, and README's
 * event table names every event and every field they write (so the table cannot drift from the code).
 */
class EventCatalogTest {
  private static final Path EVENTS = Path.of("..", "docs", "events.md");

  @Test
  void everyEventReadsBackWhatItWrites() throws Exception {
    for (LogEvent sample : samples()) {
      Map<String, Object> line = line(sample);
      LogEvent read = LogEvent.read(new Line(line));
      assertEquals(sample, read, sample.name() + " read back from " + line);
    }
  }

  @Test
  void readmeEventTableNamesEveryEventAndEveryFieldItWrites() throws Exception {
    Map<String, String> rows = readmeRows();
    assertEquals(new TreeSet<>(LogEvent.Readers.ALL.keySet()), new TreeSet<>(rows.keySet()),
        "docs/events.md's event table lists exactly the events of the catalog");
    Map<Class<?>, Set<String>> documented = new LinkedHashMap<>();
    Map<Class<?>, Set<String>> written = new LinkedHashMap<>();
    for (LogEvent sample : samples()) {
      documented.computeIfAbsent(sample.getClass(), c -> new LinkedHashSet<>()).addAll(fieldsIn(rows.get(sample.name())));
      Set<String> fields = new LinkedHashSet<>(line(sample).keySet());
      fields.removeAll(Set.of("ts", "event"));
      written.computeIfAbsent(sample.getClass(), c -> new LinkedHashSet<>()).addAll(fields);
    }
    for (Map.Entry<Class<?>, Set<String>> e : written.entrySet()) {
      Set<String> missing = new TreeSet<>(e.getValue());
      missing.removeAll(documented.get(e.getKey()));
      assertTrue(missing.isEmpty(), e.getKey().getSimpleName() + " writes fields docs/events.md does not document: " + missing);
    }
  }

  @Test
  void moneyReadsBackToTheNanoDollar() {
    for (long nanos : new long[] {0, 1, 7, 999_999_999, 1_000_000_001, 123_456_789_012L, 999_999_999_999_999L}) {
      BigDecimal printed = new BigDecimal(Double.toString(Usd.of(nanos)));
      assertEquals(nanos, Usd.nanos(printed), "nano-USD " + nanos + " printed as " + printed);
    }
    assertEquals(2_500_000_000L, Usd.parse("2.5"));
  }

  /** The event table's rows: event name -> the row's text. */
  private static Map<String, String> readmeRows() throws Exception {
    String text = Files.readString(EVENTS);
    int start = text.indexOf("| event | fields |");
    assertTrue(start >= 0, "docs/events.md has the event table");
    Map<String, String> rows = new LinkedHashMap<>();
    Pattern row = Pattern.compile("^\\| `([a-z._]+)` \\|(.*)$", Pattern.MULTILINE);
    for (String l : text.substring(start).split("\n")) {
      if (!l.startsWith("|")) {
        if (!rows.isEmpty()) {
          break;
        }
        continue;
      }
      Matcher m = row.matcher(l);
      if (m.find()) {
        rows.put(m.group(1), m.group(2));
      }
    }
    return rows;
  }

  private static Set<String> fieldsIn(String row) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = Pattern.compile("`([a-z_0-9]+)`").matcher(row);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The line the log writer would write, as the reader gets it back (numbers as decimals, objects as maps). */
  private static Map<String, Object> line(LogEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ts", "2026-12-04T10:00:00Z");
    m.put("event", e.name());
    e.write(fieldsInto(m));
    return m;
  }

  private static Fields fieldsInto(Map<String, Object> m) {
    return new Fields() {
      @Override
      public Fields put(String name, Object value) {
        if (value != null) {
          m.put(name, json(value));
        }
        return this;
      }
    };
  }

  private static Object json(Object v) {
    if (v instanceof Written w) {
      Map<String, Object> m = new LinkedHashMap<>();
      w.write(fieldsInto(m));
      return m;
    }
    if (v instanceof Digest d) {
      return d.hex();
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(o -> out.add(json(o)));
      return out;
    }
    if (v instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, val) -> out.put(String.valueOf(k), json(val)));
      return out;
    }
    if (v instanceof Double || v instanceof Float) {
      return new BigDecimal(v.toString());
    }
    if (v instanceof Integer i) {
      return (long) i;
    }
    return v;
  }

  /** One fully populated instance of every event record, and one per name for records with several names. */
  private static List<LogEvent> samples() throws Exception {
    List<LogEvent> out = new ArrayList<>();
    for (Class<?> type : LogEvent.class.getPermittedSubclasses()) {
      if (type == LedgerNews.class) {
        for (LedgerNews.Kind k : LedgerNews.Kind.values()) {
          out.add(new LedgerNews(k, "redis", "redis://:***@127.0.0.1:6379", "block", "detail"));
        }
      } else if (type == AuditEvent.class) {
        AuditEvent a = (AuditEvent) sample(type);
        for (AuditEvent.Action action : AuditEvent.Action.values()) {
          out.add(new AuditEvent(action, a.id(), a.at(), a.limit(), a.kind(), a.scope(), a.partition(), a.period(),
              a.by(), a.reason(), a.before(), a.after(), a.add(), a.set(), a.addTokens(), a.until(), a.run(),
              a.session(), a.model(), a.need(), a.onTimeout()));
        }
      } else {
        out.add((LogEvent) sample(type));
      }
    }
    assertNotNull(out);
    return out;
  }

  private static Object sample(Class<?> type) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      values[i] = value(components[i].getName(), components[i].getType(), components[i].getGenericType());
    }
    return type.getDeclaredConstructor(types).newInstance(values);
  }

  private static Object value(String name, Class<?> type, Type generic) throws Exception {
    if (type == String.class) {
      return name.equals("kind") ? "budget" : name + "-v";
    }
    if (type == Long.class || type == long.class) {
      return 1_234_567L;
    }
    if (type == Integer.class || type == int.class) {
      return 42;
    }
    if (type == Double.class || type == double.class) {
      return 0.5;
    }
    if (type == Boolean.class || type == boolean.class) {
      return true;
    }
    if (type == Instant.class) {
      return Instant.parse("2026-12-04T10:00:00Z");
    }
    if (type == Digest.class) {
      return Digest.ofHex("ab12");
    }
    if (type.isEnum()) {
      Object[] constants = type.getEnumConstants();
      return constants[constants.length - 1];
    }
    if (type == Map.class) {
      return Map.of("k", "v");
    }
    if (type == List.class) {
      Type item = ((ParameterizedType) generic).getActualTypeArguments()[0];
      if (item == String.class) {
        return List.of("a", "b");
      }
      if (item instanceof ParameterizedType p && p.getRawType() == Map.class) {
        return List.of(Map.of("k", "v"));
      }
      return List.of(sample((Class<?>) item));
    }
    if (type.isRecord()) {
      return sample(type);
    }
    throw new AssertionError("no sample value for " + name + ": " + type);
  }
}
