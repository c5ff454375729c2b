package dev.tollgate.policy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The adversarial corpus ({@code adversarial/cases.tsv}): hostile tool names, paths, URLs, commands, numbers,
 * argument shapes and loop-guard spellings, each with the decision it must get against
 * {@code adversarial/policy.yaml}. Add a line when a new bypass is found.
 */
class AdversarialCorpusTest {
  static final int MINIMUM_CASES = 150;

  record Case(int line, String kind, String tool, String arguments, String expected, String note) {
    String title() {
      String shown = arguments.length() > 80 ? arguments.substring(0, 80) + "..." : arguments;
      String name = tool.length() > 40 ? tool.substring(0, 40) + "...(" + tool.length() + ")" : tool;
      return "line " + line + ": " + kind + " " + escape(name) + " " + escape(shown) + " -> " + expected;
    }
  }

  static List<Case> cases() throws IOException {
    String text;
    try (InputStream in = AdversarialCorpusTest.class.getResourceAsStream("/adversarial/cases.tsv")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Case> cases = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty() || lines[i].startsWith("#")) {
        continue;
      }
      String[] f = lines[i].split("\t", -1);
      if (f.length != 5) {
        throw new IllegalStateException("cases.tsv:" + (i + 1) + ": expected 5 tab-separated fields, got " + f.length);
      }
      cases.add(new Case(i + 1, f[0], unescape(f[1]), f[2], f[3], f[4]));
    }
    return cases;
  }

  private static PolicyEngine engine(String resource) throws Exception {
    try (InputStream in = AdversarialCorpusTest.class.getResourceAsStream(resource)) {
      return new PolicyEngine(PolicyLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource),
          Clock.systemUTC());
    }
  }

  @Test
  void theCorpusIsLargeAndCoversEveryKind() throws IOException {
    List<Case> cases = cases();
    assertTrue(cases.size() >= MINIMUM_CASES, "only " + cases.size() + " cases");
    assertEquals(List.of("command", "loop", "name", "number", "path", "regex", "shape", "url"),
        cases.stream().map(Case::kind).distinct().sorted().toList());
  }

  @TestFactory
  Stream<DynamicTest> everyHostileCaseGetsItsDecision() throws Exception {
    PolicyEngine rules = engine("/adversarial/policy.yaml");
    String policyText;
    try (InputStream in = AdversarialCorpusTest.class.getResourceAsStream("/adversarial/policy.yaml")) {
      policyText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String loopPolicy = """
        version: 1
        limits:
          - { name: no-loops, scope: run, tools: "*", max_identical: 1 }
        """;
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.title(), () -> {
      if (c.kind().equals("loop")) {
        PolicyEngine e = new PolicyEngine(PolicyLoader.parse(loopPolicy, "loop.yaml"), Clock.systemUTC());
        ToolCall first = new ToolCall(c.tool(), "corpus", "run-" + c.line(), c.arguments(), null, Map.of());
        ToolCall second = new ToolCall(c.tool(), "corpus", "run-" + c.line(), c.note(), null, Map.of());
        assertTrue(e.decide(first).proceeds());
        boolean same = !e.decide(second).proceeds();
        assertEquals(c.expected(), same ? "same" : "different", c.arguments() + " then " + c.note());
        return;
      }
      ToolVerdict v = rules.decide(new ToolCall(c.tool(), "corpus", null, c.arguments(), null, Map.of()));
      assertEquals(c.expected(), v.proceeds() ? "allow" : "deny", v.rule() + ": " + v.reason());
      com.google.re2j.Matcher strings = com.google.re2j.Pattern.compile("\"((?:[^\"\\\\]|\\\\.){8,})\"")
          .matcher(c.arguments());
      while (strings.find()) {
        String value = strings.group(1);
        if (!policyText.contains(value) && !value.equals(c.tool())) {
          assertTrue(!v.reason().contains(value), "the reason quotes the value " + value + ": " + v.reason());
        }
      }
    }));
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  /** Backslash escapes: n, t, r, a backslash, xHH and uHHHH. */
  static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        out.append(c);
        continue;
      }
      char n = s.charAt(++i);
      switch (n) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'x' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
          i += 2;
        }
        case 'u' -> {
          out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(n);
      }
    }
    return out.toString();
  }
}
