package dev.tollgate.policy.engine;

/**
 * A tool call about to run.
 *
 * @param tool      the tool name as the model asked for it
 * @param framework the framework that dispatched it (e.g. "langchain4j")
 * @param runId     the run it belongs to, or null when it happens outside any run
 */
public record ToolCall(String tool, String framework, String runId) {}
