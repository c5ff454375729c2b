package dev.tollgate.policy.engine;

import static dev.tollgate.policy.engine.ToolGovernanceTest.call;
import static dev.tollgate.policy.engine.ToolGovernanceTest.engine;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bypasses of text rules (globs and regexes on an argument's text) that typed matchers exist for. Each
 * case is a value the tool really reads as the forbidden thing, yet the text rule lets it through. These
 * tests pin the weakness of the text forms, so that the README's advice to use typed matchers stays true.
 */
class TextRulesFallToAHostileModelTest {

  @ParameterizedTest
  @ValueSource(strings = {"/workspace/../etc/passwd", "/workspace/a/../../root/.ssh/id_rsa"})
  void aPathGlobAllowsTraversalOutOfItsDirectory(String path) {
    PolicyEngine e = engine("""
        version: 1
        tools:
          default: deny
          rules:
            - { tool: read_file, args: { path: "/workspace/*" }, decision: allow }
        """);
    assertTrue(call(e, "read_file", "{\"path\": \"" + path + "\"}").proceeds(), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"//etc/passwd", "/tmp/../etc/passwd", "/./etc/passwd", "etc/passwd"})
  void aPathGlobDenyMissesOtherSpellingsOfTheSameFile(String path) {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - { tool: read_file, args: { path: "/etc/*" }, decision: deny }
        """);
    assertTrue(call(e, "read_file", "{\"path\": \"" + path + "\"}").proceeds(), path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP://169.254.169.254/", "https://169.254.169.254/", "http://2852039166/",
      "http://[::ffff:169.254.169.254]/", "http://a@169.254.169.254/", "http://0xA9FEA9FE/",
      "http://0251.0376.0251.0376/", "http://0xa9.0xfe.0xa9.0xfe/"})
  void theReadmeSsrfGlobMissesOtherSpellingsOfTheMetadataAddress(String url) {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - { tool: http_get, args: { url: "http://169.254.*" }, decision: deny }
        """);
    assertTrue(call(e, "http_get", "{\"url\": \"" + url + "\"}").proceeds(), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bash -c 'rm -rf /'", "ls; rm -rf /", "'rm' -rf /", "/bin/rm -rf /", "env X=1 rm -rf /",
      "echo $(rm -rf /)", "true && rm -rf /"})
  void aCommandGlobMissesWrappedCommands(String command) {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - { tool: run_shell, args: { command: "rm *" }, decision: deny }
        """);
    assertTrue(call(e, "run_shell", "{\"command\": \"" + command + "\"}").proceeds(), command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e3", "1000.0", " 1000", "\"1000.00\""})
  void aNumberWrittenAsARegexMissesOtherSpellingsOfTheNumber(String amount) {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - { tool: transfer, args_regex: { amount: "[0-9]{4,}" }, decision: deny }
        """);
    String json = amount.startsWith("\"") || amount.startsWith(" ") ? "\"" + amount.replace("\"", "") + "\"" : amount;
    assertTrue(call(e, "transfer", "{\"amount\": " + json + "}").proceeds(), amount);
  }

  /** Fixed rather than pinned: args_regex is the short form of regex, whose dot matches a newline. */
  @org.junit.jupiter.api.Test
  void aRegexDotCrossesANewline() {
    PolicyEngine e = engine("""
        version: 1
        tools:
          rules:
            - { tool: run_shell, args_regex: { command: ".*\\\\brm\\\\s.*" }, decision: deny }
        """);
    org.junit.jupiter.api.Assertions.assertFalse(
        call(e, "run_shell", "{\"command\": \"echo hi\\nrm -rf /\"}").proceeds());
  }
}
