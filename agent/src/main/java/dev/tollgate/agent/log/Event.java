package dev.tollgate.agent.log;

import java.util.LinkedHashMap;
import java.util.Map;

/** One line of the enforcement log, built field by field in the order they should appear. */
public final class Event {
  private final String name;
  private final Map<String, Object> fields = new LinkedHashMap<>();

  private Event(String name) {
    this.name = name;
  }

  public static Event of(String name) {
    return new Event(name);
  }

  /** Adds a field; null values are left out. Values: String, Number, Boolean, List, Map of these. */
  public Event with(String key, Object value) {
    if (value != null) {
      fields.put(key, value);
    }
    return this;
  }

  /**
   * Adds the SHA-256 (lower-case hex) of {@code text}, taken when the line is written, off the caller's thread;
   * null text is left out. The text itself is never written.
   */
  public Event withSha256(String key, String text) {
    return with(key, text == null ? null : new JsonValues.Sha256(text));
  }

  public String name() {
    return name;
  }

  public Map<String, Object> fields() {
    return fields;
  }
}
