package dev.tollgate.policy.engine;

import dev.tollgate.policy.Glob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The name an MCP server's tools are called by ({@code <server>/<tool>}), from the connection the app configured
 * (never from what the server says about itself, which any server can choose): the first {@code tools.mcp_servers}
 * glob that matches the connection, else a short form of the connection: for a stdio command, its program's last
 * path segment and its last argument ({@code npx:@modelcontextprotocol/server-filesystem},
 * {@code java:com.acme.FilesServer}); for a URL, the URL without query or fragment; at most
 * {@link #MAX_LENGTH} characters, longer ones cut and suffixed with a digest.
 *
 * <p>Connections are written {@code stdio:<command> <arg>...} (arguments joined by single spaces), an
 * {@code http(s)://} URL, or {@code transport:<class name>} for a transport Tollgate cannot describe.
 */
public final class McpServerNames {
  static final int MAX_LENGTH = LoggedName.MAX_LOGGED;

  /** Connections an app configures are few; names are remembered for up to this many. */
  static final int MAX_CACHED = 256;

  private final List<Map.Entry<Glob, String>> mapping = new ArrayList<>();
  /** A stdio connection holds a whole class path: match its globs once, not on every call. */
  private final java.util.concurrent.ConcurrentHashMap<String, String> names =
      new java.util.concurrent.ConcurrentHashMap<>();

  public McpServerNames(Map<String, String> mcpServers) {
    mcpServers.forEach((glob, name) -> mapping.add(Map.entry(Glob.of(glob), name)));
  }

  /** The server name for {@code connection}; null for a null connection. */
  public String nameOf(String connection) {
    if (connection == null) {
      return null;
    }
    String known = names.get(connection);
    if (known != null) {
      return known;
    }
    String name = resolve(connection);
    if (names.size() < MAX_CACHED) {
      names.putIfAbsent(connection, name);
    }
    return name;
  }

  private String resolve(String connection) {
    for (Map.Entry<Glob, String> e : mapping) {
      if (e.getKey().matches(connection)) {
        return e.getValue();
      }
    }
    return shortForm(connection);
  }

  static String shortForm(String connection) {
    String name = connection;
    if (connection.startsWith("stdio:")) {
      String[] words = connection.substring("stdio:".length()).strip().split(" ");
      String program = words[0];
      int slash = Math.max(program.lastIndexOf('/'), program.lastIndexOf('\\'));
      program = program.substring(slash + 1);
      name = words.length > 1 ? program + ":" + words[words.length - 1] : program;
    } else {
      int cut = indexOfAny(connection, "?#");
      name = cut < 0 ? connection : connection.substring(0, cut);
    }
    if (name.isEmpty()) {
      name = "mcp";
    }
    return LoggedName.of(name); // as is up to MAX_LENGTH, else a prefix and the SHA-256 of the whole
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
