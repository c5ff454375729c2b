package dev.tollgate.sim;

/**
 * A tool call the simulated model makes.
 *
 * @param id            the {@code tool_calls[].id}; the framework echoes it back as {@code tool_call_id}
 * @param name          the function name shown to the framework
 * @param argumentsJson the function arguments, a JSON object as a string (as on the wire)
 */
public record ToolCall(String id, String name, String argumentsJson) {
}
