package dev.tollgate.agent.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTML report as a browser shows it: generated from a recorded log whose tool and model names are hostile
 * markup, opened in real headless Chromium (Debian's {@code chromium}; the test is skipped when none is installed),
 * which must draw all four charts with no script error, console error or blocked load, and run none of the names.
 * The page and a screenshot stay in {@code target/html-report/} to look at.
 */
class HtmlReportTest {
  static final String HOSTILE_TOOL = "</script><img src=x onerror=alert(1)>";
  static final Path OUT = Path.of("target", "html-report");
  static Path log;
  static Path page;

  @BeforeAll
  static void generate() throws IOException {
    Files.createDirectories(OUT);
    log = OUT.resolve("recorded.jsonl");
    try (InputStream in = HtmlReportTest.class.getResourceAsStream("recorded.jsonl")) {
      Files.write(log, in.readAllBytes());
    }
    page = OUT.resolve("report.html");
    ReportCommandTest.Out r = ReportCommandTest.report("", "--log", log.toString(), "--format", "html", "--out",
        page.toString());
    assertEquals(0, r.status(), r.err());
  }

  @Test
  void hostileNamesAreTextInTheMarkupAndCannotEndTheDataScript() throws IOException {
    String html = Files.readString(page);
    assertFalse(html.contains(HOSTILE_TOOL), "the raw tool name must not reach the page");
    assertFalse(html.contains("<img"), html);
    assertTrue(html.contains(HtmlReport.esc(HOSTILE_TOOL)), "the tool is listed, as text");
    assertTrue(html.chars().allMatch(c -> c < 0x80), "ASCII only, whatever the charset of standard output");
    assertTrue(html.contains("caf&#xe9;-&#x1f916;"), "non-ASCII names as numeric references");
    assertEquals(3, count(html, "<script"), "the watch script, the data block and the report script; nothing else");
    assertFalse(Pattern.compile("\\s(src|href)=\"").matcher(html).find(), "nothing to fetch");
    assertTrue(html.contains("content=\"default-src 'none'; script-src 'sha256-"),
        "the page may fetch nothing and run only its own scripts");
  }

  @Test
  void htmlTotalsMatchTheTextReport() throws IOException {
    String html = Files.readString(page);
    ReportCommandTest.Out text = ReportCommandTest.report("", "--log", log.toString());
    Matcher total = Pattern.compile("total ([0-9.]+) USD").matcher(text.out());
    assertTrue(total.find(), text.out());
    assertTrue(html.contains("total " + total.group(1) + " USD"), "same exact total as the text format: " + total.group(1));
  }

  @Test
  void timelinesStayBoundedWhateverTheSpanOfTheLog() {
    Timeline t = new Timeline(1, false);
    Instant start = Instant.parse("2020-01-01T00:00:00Z");
    for (int hour = 0; hour < 24 * 365 * 3; hour++) {
      t.add(start.plusSeconds(hour * 3600L), 1);
    }
    assertTrue(t.buckets().size() <= Timeline.MAX_BUCKETS, "buckets: " + t.buckets().size());
    assertEquals(604_800, t.width(), "three years of hours fold into weeks");
    assertEquals(24 * 365 * 3, t.buckets().values().stream().mapToLong(v -> v[0]).sum(), "nothing lost in folding");
  }

  @Test
  void chromiumDrawsEveryChartWithoutErrorsAndRunsNoInjectedMarkup() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "Chromium is not installed (apt-get install chromium, or set "
        + "TOLLGATE_CHROMIUM); the HTML report's browser test is skipped");
    Path profile = Files.createTempDirectory("tollgate-chromium");
    String url = page.toAbsolutePath().toUri().toString();
    String dom = run(List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
        "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom", url));

    assertTrue(dom.contains("data-rendered=\"spend,models,budgets,refusals\""), "all four charts drawn:\n" + head(dom));
    assertFalse(dom.contains("data-errors="), "script errors, console errors or blocked loads:\n" + head(dom));
    for (String chart : List.of("spend", "models", "budgets", "refusals")) {
      Matcher drawn = Pattern.compile("data-chart=\"" + chart + "\" data-drawn=\"(\\d+)\"").matcher(dom);
      assertTrue(drawn.find(), chart + " not marked as drawn");
      assertTrue(Integer.parseInt(drawn.group(1)) > 0, chart + " drew nothing");
    }
    assertFalse(dom.contains("<img"), "the tool name became an element");
    assertFalse(dom.contains("data-pwned=\""), "the model name ran as a script");
    assertTrue(dom.contains(HtmlReport.esc(HOSTILE_TOOL)), "the tool name is shown as text");

    Path empty = Files.writeString(OUT.resolve("empty.jsonl"), "");
    Path emptyPage = OUT.resolve("empty.html");
    assertEquals(0, ReportCommandTest.report("", "--log", empty.toString(), "--format", "html", "--out",
        emptyPage.toString()).status());
    String emptyDom = run(List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
        "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom",
        emptyPage.toAbsolutePath().toUri().toString()));
    assertTrue(emptyDom.contains("data-rendered=\"spend,models,budgets,refusals\""), head(emptyDom));
    assertFalse(emptyDom.contains("data-errors="), "an empty log's page:\n" + head(emptyDom));
    assertTrue(emptyDom.contains("No settled LLM spend in this log."), head(emptyDom));

    Path png = OUT.resolve("report.png").toAbsolutePath();
    Files.deleteIfExists(png);
    run(List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--hide-scrollbars",
        "--user-data-dir=" + profile, "--window-size=1400,1700", "--virtual-time-budget=5000",
        "--screenshot=" + png, url));
    assertTrue(Files.size(png) > 20_000, "screenshot " + png + " looks empty");
  }

  /** Chromium as {@code TOLLGATE_CHROMIUM} names it, or Debian's, or whichever is on the PATH; null when none. */
  static String chromium() {
    List<String> candidates = new ArrayList<>();
    String configured = System.getenv("TOLLGATE_CHROMIUM");
    if (configured != null && !configured.isBlank()) {
      candidates.add(configured);
    }
    candidates.add("/usr/bin/chromium");
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        candidates.add(Path.of(dir, name).toString());
      }
    }
    return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
  }

  private static String run(List<String> command) throws Exception {
    Path stdout = Files.createTempFile("chromium", ".out");
    Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s: " + command);
    }
    assertEquals(0, p.exitValue(), "chromium exit status: " + command);
    return Files.readString(stdout, StandardCharsets.UTF_8);
  }

  private static String head(String dom) {
    return dom.substring(0, Math.min(dom.length(), 2000));
  }

  private static int count(String s, String part) {
    return s.split(Pattern.quote(part), -1).length - 1;
  }
}
