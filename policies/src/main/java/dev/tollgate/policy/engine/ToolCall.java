package dev.tollgate.policy.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tool call about to run.
 *
 * @param tool      the tool name as the model asked for it
 * @param framework the framework that dispatched it (e.g. "langchain4j")
 * @param runId     the run it belongs to, or null when it happens outside any run
 * @param arguments the arguments as the raw JSON text the model sent, or null when unknown (argument rules
 *                  that look at arguments then cannot match, and deny rules among them deny: fail closed)
 * @param session   the conversation it belongs to (memory id, conversation id, ...), or null
 * @param mdc       the dispatching thread's MDC (for {@code per: mdc:<key>}); never null, null entries dropped
 */
public record ToolCall(String tool, String framework, String runId, String arguments, String session,
    Map<String, String> mdc) {
  public ToolCall {
    if (mdc == null || mdc.isEmpty()) {
      mdc = Map.of();
    } else {
      Map<String, String> copy = new LinkedHashMap<>();
      mdc.forEach((k, v) -> {
        if (k != null && v != null) {
          copy.put(k, v);
        }
      });
      mdc = Collections.unmodifiableMap(copy);
    }
  }

  /** A call without arguments, session or MDC. */
  public ToolCall(String tool, String framework, String runId) {
    this(tool, framework, runId, null, null, Map.of());
  }
}
