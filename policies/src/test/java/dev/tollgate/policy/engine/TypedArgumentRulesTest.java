package dev.tollgate.policy.engine;

import static dev.tollgate.policy.engine.ToolGovernanceTest.call;
import static dev.tollgate.policy.engine.ToolGovernanceTest.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The typed matchers of the README, through the engine: the bypasses of text rules are denied. */
class TypedArgumentRulesTest {
  static final String POLICY = """
      version: 1
      tools:
        rules:
          - tool: "write_*"
            args: { path: { path_not_under: ["${user.dir}/workspace"] } }
            decision: deny
          - tool: http_get
            args: { url: { url_host: [link_local, private, loopback, metadata, "169.254.0.0/16", "*.internal"] } }
            decision: deny
            reason: private and metadata hosts are out of reach
          - tool: run_shell
            args: { command: { command_prefix: ["rm", "sudo", "git push", "curl"] } }
            decision: deny
          - tool: transfer
            args: { amount: { above: 1000 } }
            decision: deny
          - tool: search
            args: { q: { regex: "(?i).*password.*" } }
            decision: deny
      """;
  static final PolicyEngine ENGINE = engine(POLICY);

  private static ToolVerdict decide(String tool, String argsJson) {
    return call(ENGINE, tool, argsJson);
  }

  private static String json(String key, String value) {
    return "{\"" + key + "\": \"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace/../../etc/passwd", "/etc/passwd", "//etc/passwd", "/tmp/../etc/passwd",
      "../x", "~/.bashrc", "workspace/..\\..\\x", "workspace/%2e%2e/x"})
  void writesOutsideTheWorkspaceAreDenied(String path) {
    assertFalse(decide("write_file", json("path", path)).proceeds(), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"workspace/notes.md", "./workspace/a/b.txt", "workspace//x"})
  void writesInsideTheWorkspaceRun(String path) {
    assertTrue(decide("write_file", json("path", path)).proceeds(), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP://169.254.169.254", "https://169.254.169.254/", "http://2852039166/",
      "http://[::ffff:169.254.169.254]/", "http://a@169.254.169.254/", "http://vault.internal/",
      "http://a@b@169.254.169.254/"})
  void theReadmeSsrfBypassesAreDenied(String url) {
    ToolVerdict v = decide("http_get", json("url", url));
    assertFalse(v.proceeds(), url);
    assertEquals("tools.rules[1]", v.rule());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash -c 'rm -rf /'", "ls; rm -rf /", "'rm' -rf /", "/bin/rm -rf /", "env X=1 rm -rf /",
      "echo $(rm -rf /)", "true && rm -rf /", "echo hi\nrm -rf /", "git push", "$X -rf /"})
  void wrappedShellCommandsAreDenied(String command) {
    assertFalse(decide("run_shell", json("command", command)).proceeds(), command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e3", "1000.0", "1000"})
  void theBoundItselfRuns(String amount) {
    assertTrue(decide("transfer", "{\"amount\": " + amount + "}").proceeds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e4", "1000.01", "\" 5000\"", "\"1e6\"", "\"1,000,000\"", "\"0x3e8\"", "true", "[5000]"})
  void amountsAboveOrUnreadableAreDenied(String amount) {
    assertFalse(decide("transfer", "{\"amount\": " + amount + "}").proceeds(), amount);
  }

  @Test
  void regexDotMatchesNewlines() {
    assertFalse(decide("search", json("q", "my\nPassWord\nplease")).proceeds());
    assertTrue(decide("search", json("q", "weather")).proceeds());
  }

  @Test
  void aDenialForAnUnreadableValueSaysSoToTheModel() {
    ToolVerdict v = decide("http_get", json("url", "http://a@b@169.254.169.254/"));
    assertEquals("private and metadata hosts are out of reach (argument \"url\" of tool \"http_get\" cannot be read "
        + "as a URL by url_host, so the deny rule applies)", v.reason());
  }

  @Test
  void reasonsNameThePolicyNeverTheValue() {
    assertEquals("argument \"path\" of tool \"write_file\" is under none of [" + System.getProperty("user.dir")
        + "/workspace]", decide("write_file", json("path", "/etc/secret-token-123")).reason());
    assertEquals("argument \"command\" of tool \"run_shell\" runs a command beginning with one of [rm, sudo, git "
        + "push, curl]", decide("run_shell", json("command", "echo TOPSECRET; rm -rf /")).reason());
    assertEquals("argument \"amount\" of tool \"transfer\" is above 1000",
        decide("transfer", "{\"amount\": 123456789}").reason());
  }

  @Test
  void anAllowRuleDoesNotAllowWhatItCannotRead() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          rules:
            - { tool: fetch, args: { url: { url_host: ["*.example.com"] } }, decision: allow }
        """);
    assertTrue(call(e, "fetch", json("url", "https://api.example.com/x")).proceeds());
    assertFalse(call(e, "fetch", json("url", "https://api.example.com@evil.test/x")).proceeds());
    assertFalse(call(e, "fetch", json("url", "https://a@b@api.example.com/")).proceeds());
    assertEquals("tools.default", call(e, "fetch", json("url", "https://a@b@api.example.com/")).rule());
  }

  @Test
  void explainShowsHowEachMatcherReadTheValue() {
    Explanation x = engine(POLICY).explain(new ToolCall("http_get", "test", "r",
        json("url", "http://0xA9FEA9FE/latest"), null, Map.of()));
    assertEquals("tools.rules[1]", x.verdict().rule());
    assertEquals(1, x.readings().size());
    assertEquals("has host 169.254.169.254, which is link_local", x.readings().get(0).reading().account());
  }
}
