package dev.tollgate.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir
  Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void validPolicyExitsZero() throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.yaml"), "version: 1\ntools:\n  deny: [\"delete_*\"]\n");
    assertEquals(0, run("validate", ok.toString()));
    assertEquals(ok + ": ok\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void invalidPolicyPrintsEveryErrorLocatedAndExitsOne() throws Exception {
    Path ok = Files.writeString(dir.resolve("ok.yaml"), "version: 1\n");
    Path bad = Files.writeString(dir.resolve("bad.yaml"),
        "version: 1\nmode: enforced\nlimits:\n  - name: a\n    scope: run\n    max_calls: -5\n");
    assertEquals(1, run("validate", ok.toString(), bad.toString()));
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length, err.toString(StandardCharsets.UTF_8));
    assertTrue(lines[0].startsWith(bad + ":2:7: mode must be one of enforce, monitor"), lines[0]);
    assertTrue(lines[1].startsWith(bad + ":6:16: limits[0].max_calls must be an integer >= 0, got -5"), lines[1]);
  }

  @Test
  void missingFileIsAnErrorNotACrash() {
    assertEquals(1, run("validate", dir.resolve("nope.yaml").toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(dir.resolve("nope.yaml") + ":0:0: "));
  }

  @Test
  void helpAndUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("validate FILE..."));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("tollgate.fail-mode"));
    assertEquals(2, run());
    assertEquals(2, run("frobnicate"));
    assertEquals(2, run("validate"));
  }

  @Test
  void simulateAndTheHtmlReportAreCommandsOfTheJar() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("simulate --policy NEW.yaml --log FILE..."));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("[--format text|json|csv|html]"));
    assertEquals(0, run("simulate", "--help"));
    assertEquals(2, run("simulate", "--log", "old.jsonl"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("tollgate simulate: --policy needs the candidate policy"),
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pricesSaysHowEachModelIsChargedOrThatItIsUnknown() {
    assertEquals(0, run("validate", "--prices", "gpt-4", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
        "gemini-2.5-pro", "my-finetune"));
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines[0].startsWith("prices: @pydantic/genai-prices "), lines[0]);
    assertEquals("gpt-4: openai/gpt-4 input 30, output 60", lines[1]);
    assertEquals("bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0: aws/regional.anthropic.claude-sonnet-4-5-20250929-v1:0"
        + " input 3.3, output 16.5, cache read 0.33, cache write 4.125", lines[2]);
    assertEquals("gemini-2.5-pro: google/gemini-2.5-pro input 1.25, output 10, cache read 0.125; prompts over 200000"
        + " tokens input 2.5, output 15, cache read 0.25", lines[3]);
    assertEquals("my-finetune: unknown model; with a USD budget its calls are refused (pricing.unknown_model: block)",
        lines[4]);
  }

  @Test
  void pricesUnderAPolicyUseItsOwnRatesFirst() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.yaml"), "version: 1\npricing:\n  unknown_model: warn\n"
        + "  models: { my-finetune: { input_per_mtok: 3, output_per_mtok: 12 } }\n");
    assertEquals(0, run("validate", policy.toString(), "--prices", "my-finetune", "other-finetune"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains(policy + ": my-finetune: pricing.models.my-finetune input 3, output 12\n"), text);
    assertTrue(text.contains(policy + ": other-finetune: unknown model; with a USD budget its calls are let through"
        + " unpriced and logged (pricing.unknown_model: warn)"), text);
    assertEquals(2, run("validate", "--prices"));
  }

  @Test
    void explainPrintsTheDecisionTheRuleAndHowEachMatcherReadTheValue() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        tools:
          rules:
            - tool: http_get
              args: { url: { url_host: [metadata, private] } }
              decision: deny
              reason: no metadata
        """);
    assertEquals(0, run("explain", "--policy", policy.toString(), "--tool", "http_get", "--args",
        "{\"url\": \"http://[::ffff:169.254.169.254]/latest\"}"));
    assertEquals("""
        tool:     http_get
        decision: deny (the call is refused)
        rule:     tools.rules[0]
        reason:   no metadata
        arguments read:
          tools.rules[0] url (url_host): has host 169.254.169.254, which is metadata [match]
        """, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void explainNamesAnMcpToolByItsServerAndRefusesBadUsage() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.yaml"), "version: 1\ntools:\n  deny: [\"files/*\"]\n");
    assertEquals(0, run("explain", "--policy", policy.toString(), "--tool", "read", "--mcp-server", "files"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("rule:     tools.deny[0]"), out.toString());
    assertEquals(2, run("explain", "--tool", "x"));
    assertEquals(2, run("explain", "--policy", policy.toString(), "--tool"));
    assertEquals(2, run("explain", "--policy", policy.toString(), "--tool", "x", "--bogus", "1"));
    assertEquals(1, run("explain", "--policy", dir.resolve("none.yaml").toString(), "--tool", "x"));
  }

  @Test
  void explainNamesAnMcpServerByTheConnectionTheAppConfigured() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        tools:
          deny: ["files/*"]
          mcp_servers: { "stdio:* /srv/data": files }
        """);
    assertEquals(0, run("explain", "--policy", policy.toString(), "--tool", "read", "--mcp-connection",
        "stdio:/usr/bin/npx -y @modelcontextprotocol/server-filesystem /srv/data"));
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("tool:     files/read\nserver:   files (the name tools.mcp_servers gives connection "
        + "stdio:/usr/bin/npx -y @modelcontextprotocol/server-filesystem /srv/data)\n"), text);
    assertTrue(text.contains("rule:     tools.deny[0]"), text);
    assertEquals(2, run("explain", "--policy", policy.toString(), "--tool", "x", "--mcp-server", "a",
        "--mcp-connection", "b"));
  }
}
