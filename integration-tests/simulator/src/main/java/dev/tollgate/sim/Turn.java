package dev.tollgate.sim;

import java.util.List;

/** One scripted model reply: either tool calls (one or several in the same turn) or a final answer. */
public sealed interface Turn {

    /** The model asks the framework to run these tools; the response ends with {@code finish_reason: tool_calls}. */
    record ToolCalls(List<ToolCall> calls) implements Turn {
        public ToolCalls {
            if (calls.isEmpty()) {
                throw new IllegalArgumentException("a tool-call turn needs at least one call");
            }
            calls = List.copyOf(calls);
        }
    }

    /** The model answers with text; the response ends with {@code finish_reason: stop}. */
    record Answer(String text) implements Turn {
    }
}
