package dev.tollgate.policy.engine;

import dev.tollgate.policy.args.Reading;
import java.util.List;

/**
 * Why the engine decided a tool call as it did: the verdict, and how each matcher of each argument rule it
 * consulted read its argument (the canonical path, the parsed host, the command's segments, the number).
 *
 * @param verdict  the decision, as {@link PolicyEngine#decide} gives it
 * @param readings in the order the rules were consulted
 */
public record Explanation(ToolVerdict verdict, List<ArgumentReading> readings) {
  public Explanation {
    readings = List.copyOf(readings);
  }

  /**
   * One matcher's reading of one argument.
   *
   * @param rule     the rule's path ({@code tools.rules[2]})
   * @param argument the argument's name
   * @param matcher  the matcher's key ({@code url_host}, {@code glob}, {@code regex}, ...)
   * @param reading  what it made of the value
   */
  public record ArgumentReading(String rule, String argument, String matcher, Reading reading) {}
}
