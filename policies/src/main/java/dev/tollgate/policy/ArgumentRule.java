package dev.tollgate.policy;

import dev.tollgate.policy.args.ArgumentMatcher;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of {@code tools.rules:}. It matches a call when {@code tool} matches the tool name and every
 * argument named in {@code args}, {@code argsRegex} and {@code typed} is present and its value matches.
 *
 * @param index     position in its {@code rules} list
 * @param tool      glob on tool names
 * @param args      argument name to glob on the argument's value (as text), in file order
 * @param argsRegex argument name to RE2 regular expression that must match the whole value, in file order
 * @param typed     argument name to typed matcher ({@code path_under}, {@code url_host}, ...), in file order
 * @param decision  allow or deny
 * @param reason    text shown to the model and logged, or null
 */
public record ArgumentRule(int index, String tool, Map<String, String> args, Map<String, String> argsRegex,
    Map<String, ArgumentMatcher> typed, Access decision, String reason) {
  public ArgumentRule {
    args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
    argsRegex = Collections.unmodifiableMap(new LinkedHashMap<>(argsRegex));
    typed = Collections.unmodifiableMap(new LinkedHashMap<>(typed));
  }

  /** A rule with text matchers only. */
  public ArgumentRule(int index, String tool, Map<String, String> args, Map<String, String> argsRegex,
      Access decision, String reason) {
    this(index, tool, args, argsRegex, Map.of(), decision, reason);
  }

  /** True when the rule looks at arguments at all (else the tool glob alone decides). */
  public boolean readsArguments() {
    return !args.isEmpty() || !argsRegex.isEmpty() || !typed.isEmpty();
  }
}
