package dev.tollgate.agent.cli.operate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.event.JsonLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's commands as a user calls them: exit codes, located errors, the audit trail they leave. */
class OperatorCommandTest {
  @TempDir
  Path dir;
  Path policy;
  String out;
  String err;

  @BeforeEach
  void policy() throws Exception {
    policy = Files.writeString(dir.resolve("p.yaml"), """
        version: 1
        budgets:
          - { name: daily, scope: day, max_usd: 1.00 }
          - { name: tokens, scope: day, max_tokens: 1000 }
          - { name: per-run, scope: run, max_usd: 0.10, on_exceed: pause }
        limits:
          - { name: lookups, scope: run, tools: lookup, max_calls: 2, on_exceed: pause }
        ledger:
          dir: %s
        """.formatted(dir.resolve("ledger")));
  }

  private int run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = OperatorCommand.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return code;
  }

  @Test
  void usageMistakesExitTwoWithTheHelp() {
    assertEquals(2, run("budget", "reset", "daily", "--policy", policy.toString()));
    assertTrue(err.contains("--reason is required"), err);
    assertTrue(err.contains("usage: tollgate budget reset NAME"), err);
    assertEquals(2, run("budget", "override", "daily", "--add-usd", "1", "--set-usd", "2", "--reason", "x",
        "--policy", policy.toString()));
    assertTrue(err.contains("exactly one of --add-usd X, --set-usd X, --add-tokens N"), err);
    assertEquals(2, run("budget", "override", "daily", "--add-usd", "1.0000000001", "--reason", "x", "--policy",
        policy.toString()));
    assertTrue(err.contains("at most 9 decimals"), err);
    assertEquals(2, run("budget", "override", "daily", "--add-usd", "1", "--for", "2 hours", "--reason", "x",
        "--policy", policy.toString()));
    assertTrue(err.contains("--for must be a positive whole number and a unit"), err);
    assertEquals(2, run("status", "--policy", policy.toString(), "--colour", "red"));
    assertTrue(err.contains("unknown option --colour"), err);
    assertEquals(2, run("status"));
    assertTrue(err.contains("--policy FILE is required"), err);
    assertEquals(0, run("approve", "--help"));
    assertTrue(out.startsWith("usage: tollgate approve ID"), out);
  }

  @Test
  void badInputExitsOneWithAMessageThatNamesIt() throws Exception {
    assertEquals(1, run("budget", "reset", "weekly", "--reason", "x", "--policy", policy.toString()));
    assertTrue(err.contains("no budget named 'weekly' in " + policy + "; its budgets are: daily, tokens, per-run"),
        err);
    assertEquals(1, run("budget", "override", "tokens", "--add-usd", "1", "--reason", "x", "--policy",
        policy.toString()));
    assertTrue(err.contains("budget 'tokens' has no max_usd to raise"), err);
    assertEquals(1, run("approve", "0badc0de", "--reason", "x", "--policy", policy.toString()));
    assertTrue(err.contains("no call is waiting for approval 0badc0de"), err);
    Files.writeString(dir.resolve("bad.yaml"), "version: 1\nbudgets: 7\n");
    assertEquals(1, run("status", "--policy", dir.resolve("bad.yaml").toString()));
    assertTrue(err.contains("bad.yaml:2:10:"), err);
  }

  @Test
  void aStoreThatIsDownIsAnErrorWithoutItsPassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Path redis = Files.writeString(dir.resolve("redis.yaml"), """
        version: 1
        budgets: [{ name: daily, scope: day, max_usd: 1 }]
        ledger:
          dir: %s
          store: redis
          redis: { url: "redis://:S3cret-Pass@127.0.0.1:%d", timeout: 300ms }
        """.formatted(dir.resolve("ledger"), port));
    assertEquals(1, run("status", "--policy", redis.toString()));
    assertTrue(err.contains("unavailable") || err.contains("did not answer"), err);
    assertFalse(err.contains("S3cret-Pass"), err);
  }

  @Test
  void overridesAndResetsLeaveAnAuditTrailThatStatusShows() throws Exception {
    assertEquals(0, run("budget", "override", "daily", "--add-usd", "0.5", "--for", "2h", "--reason", "incident 7",
        "--by", "alice", "--policy", policy.toString()));
    assertTrue(out.contains("limit $1 -> $1.5"), out);
    assertEquals(0, run("budget", "reset", "daily", "--reason", "new day", "--policy", policy.toString()));
    assertEquals(0, run("status", "--policy", policy.toString(), "--format", "json"));
    Map<String, Object> status = JsonLine.parse(out.strip());
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> overrides = (List<Map<String, Object>>) status.get("overrides");
    assertEquals(1, overrides.size());
    assertEquals("alice", overrides.get(0).get("by"));
    assertEquals("incident 7", overrides.get(0).get("reason"));
    List<String> journal = Files.readAllLines(dir.resolve("ledger").resolve("audit.log"));
    assertEquals(2, journal.size());
    assertTrue(journal.get(1).contains("\"action\":\"reset\"") && journal.get(1).contains("\"by\":\""
        + System.getProperty("user.name") + "\""), journal.get(1));
  }

  /** A paused call's request, as the agent writes it to the journal. */
  private void requested(String id, String kind, String name) throws Exception {
    boolean limit = kind.equals("limit");
    dev.tollgate.policy.budget.FileAuditJournal.open(dir.resolve("ledger"), null).append(
        new dev.tollgate.policy.event.AuditEvent(dev.tollgate.policy.event.AuditEvent.Action.REQUEST, id,
            java.time.Instant.now(), name, kind, "run", null, "run-1", "1@host", "over", null, null, null, null, null,
            java.time.Instant.now().plusSeconds(600), "run-1", null, limit ? null : "m", limit ? null : 5L, "block",
            limit ? "lookup" : null, null, limit ? 1L : null));
  }

  @Test
  void aLimitsPausedCallIsApprovedInCallsAndTheWrongAmountIsAUsageMistake() throws Exception {
    requested("1111aaaa", "limit", "lookups");
    requested("2222bbbb", "budget", "per-run");
    assertEquals(0, run("approvals", "--policy", policy.toString()));
    assertTrue(out.matches("(?s).*1111aaaa\\s+lookups\\s+run-1\\s+1 call\\s.*tool lookup.*"), out);
    assertEquals(2, run("approve", "1111aaaa", "--add-usd", "1", "--reason", "x", "--policy", policy.toString()));
    assertTrue(err.contains("approval 1111aaaa is for limit 'lookups' (calls): give --add-calls N, not --add-usd"),
        err);
    assertTrue(err.contains("usage: tollgate approve ID [--add-usd X | --add-calls N]"), err);
    assertEquals(2, run("approve", "2222bbbb", "--add-calls", "1", "--reason", "x", "--policy", policy.toString()));
    assertTrue(err.contains("approval 2222bbbb is for budget 'per-run' (USD): give --add-usd X, not --add-calls"), err);
    assertEquals(2, run("approve", "1111aaaa", "--add-calls", "0", "--reason", "x", "--policy", policy.toString()));
    assertTrue(err.contains("--add-calls must be a whole number of calls, at least 1, got \"0\""), err);
    assertEquals(0, run("approve", "1111aaaa", "--add-calls", "3", "--reason", "three more", "--by", "alice",
        "--policy", policy.toString()));
    assertTrue(out.contains("approved 1111aaaa (lookups [run-1], max_calls raised by 3)"), out);
    List<String> journal = Files.readAllLines(dir.resolve("ledger").resolve("audit.log"));
    String granted = journal.get(journal.size() - 1);
    assertTrue(granted.contains("\"action\":\"approve\"") && granted.contains("\"add_calls\":3")
        && !granted.contains("add_usd"), granted);
    assertEquals(0, run("approve", "2222bbbb", "--reason", "needed", "--policy", policy.toString()));
    assertTrue(out.contains("limit raised by $0.000000005"), out);
  }

  /**
   * A paused call's run and session ids and its model come from the app or the model: with a carriage return and a
   * cursor move the run id wrote "$0.000001" over the NEEDS column of its own row, so an operator would approve (by
   * what the call needs) a call that needs $500; a bidi override made a session read backwards.
   */
  @Test
  void aPausedCallsNamesCannotRewriteWhatTheOperatorApproves() throws Exception {
    dev.tollgate.policy.budget.FileAuditJournal.open(dir.resolve("ledger"), null).append(
        new dev.tollgate.policy.event.AuditEvent(dev.tollgate.policy.event.AuditEvent.Action.REQUEST, "3333cccc",
            java.time.Instant.now(), "per-run", "budget", "run", "tenant\u001b]0;ok\u0007", "run-9", "1@host", "over",
            null, null, null, null, null, java.time.Instant.now().plusSeconds(600), "run-9\r\u001b[10C per-run  run-9  "
            + "$0.000001\u001b[K", "s\u202e1-noisses", "gpt\u009b2J", 500_000_000_000L, "block"));
    assertEquals(0, run("approvals", "--policy", policy.toString()));
    assertEquals(-1, out.codePoints().filter(c -> c != '\n' && Character.isISOControl(c)
        || Character.getType(c) == Character.FORMAT).findFirst().orElse(-1),
        "a control character reached the operator's terminal:\n" + out);
    assertTrue(out.contains("$500") && out.contains("run-9\\u000D\\u001B[10C"), out);
    assertEquals(0, run("approve", "3333cccc", "--reason", "x", "--policy", policy.toString()));
    assertEquals(-1, out.codePoints().filter(Character::isISOControl).filter(c -> c != '\n').findFirst().orElse(-1),
        "a control character reached the operator's terminal:\n" + out);
  }
}
