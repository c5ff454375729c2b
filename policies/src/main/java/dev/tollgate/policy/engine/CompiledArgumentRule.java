package dev.tollgate.policy.engine;

import dev.tollgate.policy.Access;
import dev.tollgate.policy.ArgumentRule;
import dev.tollgate.policy.Glob;
import dev.tollgate.policy.args.ArgumentMatcher;
import dev.tollgate.policy.args.ArgumentValue;
import dev.tollgate.policy.args.MatchContext;
import dev.tollgate.policy.args.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One argument rule ready to decide: its tool glob and, per named argument, its compiled matchers (globs of
 * {@code args}, then typed matchers, then {@code args_regex}). A rule matches when its tool glob matches and every
 * matcher matches its argument; a deny rule also matches when a matcher cannot interpret the value, or the
 * arguments cannot be read at all (fail closed). An absent argument means the rule does not match.
 */
final class CompiledArgumentRule {
  /** What a rule decided about a call: the outcome, the rule path and the reason. */
  record Match(Access decision, String path, String reason) {}

  private record Entry(String argument, String key, ArgumentMatcher.Compiled matcher) {}

  private final ArgumentRule rule;
  private final Glob tool;
  private final boolean deny;
  private final List<Entry> entries = new ArrayList<>();

  CompiledArgumentRule(ArgumentRule rule, MatchContext ctx) {
    this.rule = rule;
    this.tool = Glob.of(rule.tool());
    this.deny = rule.decision() == Access.DENY;
    // loops, not forEach with lambdas: rules compile while the app starts, where each lambda spins a class
    for (Map.Entry<String, String> e : rule.args().entrySet()) {
      entries.add(new Entry(e.getKey(), "glob", new ArgumentMatcher.TextGlob(e.getValue()).compile(ctx)));
    }
    for (Map.Entry<String, ArgumentMatcher> e : rule.typed().entrySet()) {
      entries.add(new Entry(e.getKey(), e.getValue().key(), e.getValue().compile(ctx)));
    }
    for (Map.Entry<String, String> e : rule.argsRegex().entrySet()) {
      entries.add(new Entry(e.getKey(), "regex", new ArgumentMatcher.Regex(e.getValue()).compile(ctx)));
    }
  }

  ArgumentRule rule() {
    return rule;
  }

  /**
   * Deny rules cover an MCP tool by its bare name too ({@code delete_*} covers {@code files/delete_file}); allow
   * rules only by the whole name, so that they never admit every server's tool of that name.
   */
  boolean appliesTo(String toolName) {
    return deny ? tool.matchesTool(toolName) : tool.matches(toolName);
  }

  /** The match when this rule decides the call, else null; {@code traces} (nullable) collects every reading. */
  Match decide(String toolName, Supplier<Arguments> arguments, String base, List<Explanation.ArgumentReading> traces) {
    if (!appliesTo(toolName)) {
      return null;
    }
    String path = base + ".rules[" + rule.index() + "]";
    if (!rule.readsArguments()) {
      return new Match(rule.decision(), path, rule.reason() != null ? rule.reason()
          : "tool \"" + toolName + "\" matches " + path + ".tool \"" + tool + "\"");
    }
    Arguments args = arguments.get();
    if (!args.readable()) {
      if (!deny) {
        return null;
      }
      return new Match(rule.decision(), path, "the arguments of tool \"" + toolName + "\" could not be read ("
          + args.problem() + "), so " + path + " denies the call"
          + (rule.reason() == null ? "" : ": " + rule.reason()));
    }
    List<String> matched = new ArrayList<>();
    boolean uninterpretable = false;
    boolean decided = true;
    for (Entry e : entries) {
      ArgumentValue value = args.value(e.argument);
      if (value == null) {
        if (traces != null) {
          traces.add(new Explanation.ArgumentReading(path, e.argument, e.key,
              new Reading(Reading.Result.NO_MATCH, "is absent", "is absent")));
        }
        decided = false;
        if (traces == null) {
          return null;
        }
        continue;
      }
      Reading reading = e.matcher.read(value, deny);
      if (traces != null) {
        traces.add(new Explanation.ArgumentReading(path, e.argument, e.key, reading));
      }
      if (!reading.matchesFor(deny)) {
        decided = false;
        if (traces == null) {
          return null;
        }
        continue;
      }
      uninterpretable |= reading.result() == Reading.Result.UNINTERPRETABLE;
      matched.add(describe(toolName, e, reading));
    }
    if (!decided) {
      return null;
    }
    String reason;
    if (rule.reason() == null) {
      reason = String.join(" and ", matched);
    } else if (uninterpretable) {
      // the model learns that the value could not be read, so it can send a plain one
      reason = rule.reason() + " (" + String.join(" and ", matched) + ")";
    } else {
      reason = rule.reason();
    }
    return new Match(rule.decision(), path, reason);
  }

  /** What a reason says about one argument: never its value (the log and the model see reasons). */
  private static String describe(String toolName, Entry e, Reading reading) {
    String argument = "argument \"" + e.argument + "\" of tool \"" + toolName + "\"";
    return switch (e.key) {
      case "glob" -> argument + " " + reading.summary().replace("glob ", "");
      case "regex" -> argument + " " + reading.summary();
      default -> reading.result() == Reading.Result.UNINTERPRETABLE
          ? argument + " " + reading.summary() + " by " + e.key + ", so the deny rule applies"
          : argument + " " + reading.summary();
    };
  }
}
