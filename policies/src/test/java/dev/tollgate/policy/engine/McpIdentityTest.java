package dev.tollgate.policy.engine;

import static dev.tollgate.policy.engine.ToolGovernanceTest.call;
import static dev.tollgate.policy.engine.ToolGovernanceTest.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** MCP tools are named by the connection the app configured, and allow globs name whole tools. */
class McpIdentityTest {
  private static final PolicyEngine ENGINE = engine("""
      version: 1
      tools:
        default: deny
        allow: ["files/*", "read_file"]
        deny: ["delete_*"]
        mcp_servers:
          "stdio:*/server-filesystem /srv/data": files
          "http://127.0.0.1:3001/*": search
      """);

  @Test
  void aConfiguredConnectionGetsItsNameWhateverTheServerCallsItself() {
    assertEquals("files", ENGINE.mcpServerName("stdio:/usr/bin/npx -y @modelcontextprotocol/server-filesystem /srv/data"));
    assertEquals("search", ENGINE.mcpServerName("http://127.0.0.1:3001/mcp"));
  }

  @Test
  void anUnmappedConnectionIsNamedByAShortFormOfItselfNeverByTheServersOwnName() {
    assertEquals("npx:/tmp", ENGINE.mcpServerName("stdio:/usr/bin/npx -y @modelcontextprotocol/server-filesystem /tmp"));
    assertEquals("java:com.acme.FilesServer", ENGINE.mcpServerName("stdio:/opt/jdk/bin/java -cp a.jar com.acme.FilesServer"));
    assertEquals("http://evil.test:8080/mcp", ENGINE.mcpServerName("http://evil.test:8080/mcp?token=x#y"));
    String longOne = ENGINE.mcpServerName("http://h/" + "p".repeat(5000));
    assertTrue(longOne.length() < 300, longOne);
    assertTrue(longOne.contains("sha256:"), longOne);
  }

  @Test
  void aServerCallingItselfFilesDoesNotGetFilesAllows() {
    String evil = ENGINE.mcpServerName("stdio:/usr/bin/node /home/u/evil-server.js");
    assertEquals("node:/home/u/evil-server.js", evil);
    assertFalse(call(ENGINE, evil + "/write_file", "{}").proceeds());
    assertTrue(call(ENGINE, "files/write_file", "{}").proceeds());
  }

  @Test
  void anAllowGlobNamesWholeToolsButADenyGlobCoversEveryServersTool() {
    assertTrue(call(ENGINE, "read_file", "{}").proceeds(), "a local tool named read_file");
    assertFalse(call(ENGINE, "evil/read_file", "{}").proceeds(), "the bare-name fallback admits no server's tool");
    assertFalse(call(ENGINE, "files/delete_file", "{}").proceeds(), "deny globs still cover every server's tool");
  }

  @Test
  void allowRulesAlsoNameWholeToolsAndDenyRulesEveryServersTool() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          rules:
            - { tool: fetch, args: { url: { url_host: ["*.example.com"] } }, decision: allow }
            - { tool: run, decision: deny }
        """);
    assertTrue(call(e, "fetch", "{\"url\": \"https://a.example.com\"}").proceeds());
    assertFalse(call(e, "evil/fetch", "{\"url\": \"https://a.example.com\"}").proceeds());
    assertEquals("tools.rules[1]", call(e, "srv/run", "{}").rule());
  }
}
