package dev.tollgate.policy;

import java.util.List;

/**
 * {@code tools:} — globs on tool names and argument rules. Deny globs beat everything; then the first
 * argument rule that matches decides; a tool matched by neither gets the first matching allow glob or
 * {@code defaultAccess}.
 *
 * @param path where this section is in the file: {@code tools} or {@code profiles.<name>.tools}; rule paths
 *             in verdicts start with it
 */
public record ToolRules(Access defaultAccess, List<String> allow, List<String> deny, List<ArgumentRule> rules,
    String path) {
  public ToolRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    rules = List.copyOf(rules);
  }

  /** A top-level {@code tools:} section without argument rules. */
  public ToolRules(Access defaultAccess, List<String> allow, List<String> deny) {
    this(defaultAccess, allow, deny, List.of(), "tools");
  }
}
