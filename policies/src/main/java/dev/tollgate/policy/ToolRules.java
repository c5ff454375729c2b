package dev.tollgate.policy;

import java.util.List;

/**
 * {@code tools:} — globs on tool names. Deny beats allow; a tool matched by neither gets {@code defaultAccess}.
 */
public record ToolRules(Access defaultAccess, List<String> allow, List<String> deny) {
  public ToolRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
  }
}
