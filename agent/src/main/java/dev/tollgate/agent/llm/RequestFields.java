package dev.tollgate.agent.llm;

import java.util.HashMap;
import java.util.Map;

/**
 * The scalar fields of a request body at its top level and one level down ({@code "max_tokens"},
 * {@code "generationConfig.maxOutputTokens"}, {@code "stream_options.include_usage"}), as
 * {@link RequestInspector} read them: numbers as token counts (a non-negative integer, else -1), booleans, and the
 * top-level {@code model} string only (no other string is materialised: a prompt may be megabytes). What each
 * format makes of them is the format's ({@link ApiFormat#maxOutputTokens} and friends).
 */
final class RequestFields {
  private final Map<String, Object> values = new HashMap<>();
  private String model;

  void put(String path, Object value) {
    values.put(path, value);
  }

  void model(String model) {
    this.model = model;
  }

  /** The body's top-level {@code model}, or null. */
  String model() {
    return model;
  }

  /** The count at the first of {@code paths} present as a number; -1 when none is (or it is negative, fractional). */
  long count(String... paths) {
    for (String p : paths) {
      Object v = values.get(p);
      if (v instanceof Long) {
        return (Long) v;
      }
      if (v != null) {
        return -1;
      }
    }
    return -1;
  }

  /** A count of choices: at least 1, at most {@code Integer.MAX_VALUE}. */
  int choices(String... paths) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, count(paths)));
  }

  /** The boolean at {@code path}, or null when absent or not a boolean. */
  Boolean bool(String path) {
    Object v = values.get(path);
    return v instanceof Boolean ? (Boolean) v : null;
  }
}
