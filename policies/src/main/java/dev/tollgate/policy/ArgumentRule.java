package dev.tollgate.policy;

import java.util.Map;

/**
 * One entry of {@code tools.rules:}. It matches a call when {@code tool} matches the tool name and every
 * argument named in {@code args} and {@code argsRegex} is present and its value (rendered as text) matches.
 *
 * @param index     position in its {@code rules} list
 * @param tool      glob on tool names
 * @param args      argument name to glob on the argument's value, in file order
 * @param argsRegex argument name to RE2 regular expression that must match the whole value, in file order
 * @param decision  allow or deny
 * @param reason    text shown to the model and logged, or null
 */
public record ArgumentRule(int index, String tool, Map<String, String> args, Map<String, String> argsRegex,
    Access decision, String reason) {
  public ArgumentRule {
    args = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
    argsRegex = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(argsRegex));
  }

  /** True when the rule looks at arguments at all (else the tool glob alone decides). */
  public boolean readsArguments() {
    return !args.isEmpty() || !argsRegex.isEmpty();
  }
}
