package dev.tollgate.agent.llm;

/**
 * The numbers a response reported, by slot: what a format's {@link ApiFormat#slot} fills and its
 * {@link ApiFormat#usage} normalises. The meaning of a slot is the format's (OpenAI's prompt includes cached
 * tokens, Anthropic's does not); the last report of a field wins.
 */
final class UsageSlots {
  static final int PROMPT = 0;
  static final int CACHED = 1;
  static final int CACHE_WRITE = 2;
  static final int OUTPUT = 3;
  static final int REASONING = 4;
  static final int CACHE_HIT = 5;
  static final int CACHE_5M = 6;
  static final int CACHE_1H = 7;
  static final int TOOL_PROMPT = 8;
  static final int THOUGHTS = 9;
  static final int COUNT = 10;

  private final long[] values;

  UsageSlots(long[] values) {
    this.values = values;
  }

  /** The slot's value, 0 when it was never reported. */
  long n(int slot) {
    return Math.max(values[slot], 0);
  }

  /** Whether the slot was reported. */
  boolean has(int slot) {
    return values[slot] >= 0;
  }
}
