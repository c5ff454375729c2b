package dev.tollgate.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tools:} — globs on tool names and argument rules. Deny globs beat everything; then the first
 * argument rule that matches decides; a tool matched by neither gets the first matching allow glob or
 * {@code defaultAccess}.
 *
 * @param path       where this section is in the file: {@code tools} or {@code profiles.<name>.tools}; rule paths
 *                   in verdicts start with it
 * @param mcpServers {@code mcp_servers:}, glob on an MCP connection as the app configured it (the stdio command
 *                   line, or the URL) to the server name its tools are called by ({@code files/read_file}), in
 *                   file order
 */
public record ToolRules(Access defaultAccess, List<String> allow, List<String> deny, List<ArgumentRule> rules,
    String path, Map<String, String> mcpServers) {
  public ToolRules {
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    rules = List.copyOf(rules);
    mcpServers = Collections.unmodifiableMap(new LinkedHashMap<>(mcpServers));
  }

  public ToolRules(Access defaultAccess, List<String> allow, List<String> deny, List<ArgumentRule> rules,
      String path) {
    this(defaultAccess, allow, deny, rules, path, Map.of());
  }

  /** A top-level {@code tools:} section without argument rules. */
  public ToolRules(Access defaultAccess, List<String> allow, List<String> deny) {
    this(defaultAccess, allow, deny, List.of(), "tools");
  }
}
