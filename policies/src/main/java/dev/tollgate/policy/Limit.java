package dev.tollgate.policy;

/**
 * One entry of {@code limits:}.
 *
 * @param index    position in the {@code limits} list (for rule paths such as {@code limits[0]})
 * @param name     unique name
 * @param scope    run or process
 * @param tools    glob on tool names this limit counts
 * @param maxCalls how many matching calls may run in one scope instance (0 = none)
 * @param onExceed block, halt or warn
 */
public record Limit(int index, String name, Scope scope, String tools, long maxCalls, OnExceed onExceed) {}
