package dev.tollgate.agent.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code simulate} over a recorded log (three 0.10 USD LLM calls and a 0.002 USD one, tool calls of two runs, one call
 * refused when recorded) against candidate policies read by the real loader.
 */
class SimulateCommandTest {
  @TempDir
  Path dir;
  Path log;
  Path candidate;

  record Out(int status, String out, String err) {}

  @BeforeEach
  void copyFixtures() throws IOException {
    log = copy("recorded.jsonl");
    candidate = copy("candidate.yaml");
  }

  private Path copy(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("simulate/" + name)) {
      return Files.write(dir.resolve(name), in.readAllBytes());
    }
  }

  static Out simulate(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("simulate"));
    all.addAll(List.of(args));
    int status = SimulateCommand.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Out(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Out simulate(String... args) {
    return simulate(new byte[0], args);
  }

  @Test
  void candidateRefusalsAreNamedByRuleWithTheExactSpendSaved() {
    Out r = simulate("--policy", candidate.toString(), "--log", log.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("replayed 5 tool calls and 4 LLM calls (recorded spend 0.302 USD); calls refused "
        + "when recorded, counted as not made: 1"), r.out());
    assertTrue(r.out().contains("would refuse 3 of them, saving 0.1 USD (spend under it: 0.202 USD)"), r.out());
    assertTrue(r.out().contains("tool calls not evaluated: 1 (an argument rule decides them"), r.out());
    assertTrue(r.out().matches("(?s).*\n  tools\\.deny\\[0\\] +1 +0 +0 +2026-12-04T10:06:00Z +\\S+recorded\\.jsonl:4 .*"),
        r.out());
    assertTrue(r.out().matches("(?s).*\n  budgets\\[0\\] +0 +1 +0\\.1 +2026-12-04T10:10:00Z +\\S+recorded\\.jsonl:7 .*"),
        r.out());
    assertTrue(r.out().matches("(?s).*\n  limits\\[0\\] +1 +0 +0 +2026-12-04T11:00:02Z +\\S+recorded\\.jsonl:11 .*"),
        r.out());
    assertTrue(r.out().matches("(?s).*\n  tools\\.rules\\[0\\] +1\n.*"), "http_get is not evaluated\n" + r.out());
  }

  @Test
  void jsonSaysWhenEachBudgetAndLimitWouldHaveBeenCrossed() {
    Out r = simulate("--policy", candidate.toString(), "--log", log.toString(), "--format", "json");
    assertEquals(0, r.status(), r.err());
    String json = r.out().replaceAll("\\s+", "");
    assertTrue(json.contains("\"refused_calls\":3,\"saved_usd\":0.1,\"simulated_usd\":0.202"), json);
    assertTrue(json.contains("\"kind\":\"budget\",\"name\":\"process-cap\",\"rule\":\"budgets[0]\",\"scope\":\"process\","
        + "\"partition\":null,\"on_exceed\":\"block\",\"how\":\"refused\",\"ts\":\"2026-12-04T10:10:00Z\""), json);
    assertTrue(json.contains("\"spent_usd\":0.3,\"limit_usd\":0.25"), json);
    assertTrue(json.contains("\"kind\":\"limit\",\"name\":\"lookups-per-run\",\"rule\":\"limits[0]\",\"scope\":\"run\""),
        json);
    assertTrue(json.contains("\"not_evaluated\":{\"tool_calls\":1,\"by_rule\":{\"tools.rules[0]\":1}"), json);
    assertTrue(json.contains("\"refused_when_recorded\":1"), json);
  }

  @Test
  void aHaltEndsTheRunSoItsLaterCallsAreNotMade() throws IOException {
    Path halting = copy("halting.yaml");
    Out r = simulate("--policy", halting.toString(), "--log", log.toString(), "--format", "json");
    assertEquals(0, r.status(), r.err());
    String json = r.out().replaceAll("\\s+", "");
    assertTrue(json.contains("\"refused_calls\":3,\"saved_usd\":0.002,"), json); // lookups 2 and 3, the LLM call
    assertTrue(json.contains("\"rule\":\"limits[0]\""), json);
  }

  @Test
  void gzipGlobsAndStandardInputReadTheSameCalls() throws IOException {
    Path gz = dir.resolve("rotated-1.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(log));
    }
    Out plain = simulate("--policy", candidate.toString(), "--log", log.toString(), "--format", "json");
    Out globbed = simulate("--policy", candidate.toString(), "--log", dir.resolve("rotated-*.gz").toString(),
        "--format", "json");
    Out stdin = simulate(Files.readAllBytes(log), "--policy", candidate.toString(), "--log", "-", "--format", "json");
    assertEquals(0, globbed.status(), globbed.err());
    assertEquals(0, stdin.status(), stdin.err());
    assertEquals(numbers(plain.out()), numbers(globbed.out()));
    assertEquals(numbers(plain.out()), numbers(stdin.out()));
  }

  private static String numbers(String json) {
    return json.replaceAll("\"(at|first_at)\" : \"[^\"]*\"", "");
  }

  @Test
  void aLineThatIsNotAnEventIsLocatedAndATornLastLineOnlyWarned() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(log));
    lines.add(3, "{\"ts\":\"2026-12-04T10:05:30Z\",\"event\":\"llm.call\",\"cost_usd\":0.1,\"input_tokens\":-4}");
    lines.add(5, "not json");
    Path bad = Files.write(dir.resolve("bad.jsonl"), lines);
    Out r = simulate("--policy", candidate.toString(), "--log", bad.toString());
    assertEquals(1, r.status(), r.out());
    assertTrue(r.err().contains(bad + ":4: \"input_tokens\" must be a whole number >= 0, got -4"), r.err());
    assertTrue(r.err().contains(bad + ":6: "), r.err());

    Path torn = Files.writeString(dir.resolve("torn.jsonl"), Files.readString(log) + "{\"ts\":\"2026-12-04T12:0");
    Out t = simulate("--policy", candidate.toString(), "--log", torn.toString());
    assertEquals(0, t.status(), t.err());
    assertTrue(t.err().contains(torn + ":14: warning: the last line is incomplete"), t.err());
  }

  @Test
  void anInvalidCandidateIsReportedAsTheLoaderLocatesIt() throws IOException {
    Path invalid = copy("invalid.yaml");
    Out r = simulate("--policy", invalid.toString(), "--log", log.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(invalid + ":3:"), r.err());
    assertTrue(r.err().contains("max_calls"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void usageErrorsExitTwoAndHelpZero() {
    assertEquals(2, simulate("--log", log.toString()).status());
    assertEquals(2, simulate("--policy", candidate.toString()).status());
    assertEquals(2, simulate("--policy", candidate.toString(), "--log", log.toString(), "--format", "csv").status());
    assertEquals(2, simulate("--policy", candidate.toString(), "--log", log.toString(), "--bogus").status());
    Out help = simulate("--help");
    assertEquals(0, help.status());
    assertTrue(help.out().contains("simulate --policy NEW.yaml --log FILE..."), help.out());
    assertEquals(1, simulate("--policy", candidate.toString(), "--log", dir.resolve("none-*.jsonl").toString())
        .status());
    assertFalse(simulate("--policy", candidate.toString(), "--log", log.toString()).out().isEmpty());
  }
}
