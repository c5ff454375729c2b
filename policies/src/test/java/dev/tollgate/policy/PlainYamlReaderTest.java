package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The plain YAML reader builds exactly the tree the YAML library builds (same keys, values, scalar types and
 * locations), or gives up: on every policy file in the repository, on generated documents in its subset, and on
 * those documents with a character inserted or deleted anywhere. It never accepts a text the library rejects.
 */
class PlainYamlReaderTest {
  /** The library's tree, or null when it rejects the text. */
  private static Node library(String text) {
    try {
      return LocatedTreeReader.read(text, "p.yaml", false);
    } catch (PolicyException e) {
      return null;
    }
  }

  private static void sameOrGivesUp(String text) {
    Node plain = PlainYamlReader.read(text);
    net.jqwik.api.statistics.Statistics.collect(plain != null ? "read" : "left to the library");
    if (plain != null) {
      assertEquals(library(text), plain, () -> "differs from the library on:\n" + text);
    }
  }

  @Test
  void everyPolicyFileInTheRepositoryIsReadAsTheLibraryReadsIt() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent(); // the policies module's parent: the repository
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .filter(p -> !p.toString().contains("/node_modules/")).toList();
    }
    assertTrue(files.size() > 40, "found " + files.size());
    int read = 0;
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      Node plain = PlainYamlReader.read(text);
      if (plain != null) {
        read++;
        assertEquals(library(text), plain, f.toString());
      }
    }
    System.out.println("PlainYamlReader read " + read + " of " + files.size() + " policy files in the repository");
    assertTrue(read >= 10, "read " + read + " of " + files.size());
  }

  @Test
  void theBenchmarkPolicyAndTheDocsExamplesAreInTheSubset() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    for (String f : List.of("integration-tests/benchmarks/bench-policy.yaml", "policies/examples")) {
      Path p = root.resolve(f);
      List<Path> files = Files.isDirectory(p)
          ? Files.list(p).filter(x -> x.toString().endsWith(".yaml")).toList() : List.of(p);
      for (Path file : files) {
        assertNotNull(PlainYamlReader.read(Files.readString(file)), file.toString());
      }
    }
  }

  @Test
  void locationsAndTypesMatchOnAHandWrittenPolicy() {
    String text = """
        # comment
        version: 1
        mode: enforce
        tools:
          default: allow
          deny: ["delete_*", 'shell_*', plain words]   # trailing comment
          rules:
            - tool: http_get
              args: { url: "http://169.254.*", other: }
              decision: deny
              reason: cloud metadata endpoint, don't
            -   tool: "read_*"
                args_regex:
                  path: (/etc/|.*\\.\\./).*
        limits:
        - { name: a, scope: run, tools: "*", max_calls: 25 }
        - name: b
          max_usd: 0.50
          warn_at: [0.9, 1]
          on: True
          off: FALSE
          nothing: ~
          also: null
          big: 12345678901234567890
          neg: -5
          plus: +7
          empty:
        "quoted key": 'it''s'
        escaped: "a\\\\b\\"c\\td\\n"
        """;
    Node plain = PlainYamlReader.read(text);
    assertNotNull(plain);
    assertEquals(library(text), plain);
  }

  @Test
  void givesUpOnWhatItDoesNotKnow() {
    for (String text : List.of("", "# only a comment\n", "---\na: 1\n", "a: &x 1\nb: *x\n", "a: !tag 1\n",
        "a: |\n  text\n", "a: >\n  text\n", "a: b\n  c\n", "a: 0x1F\n", "a: 1_000\n", "a: 007\n", "a: 1e3\n",
        "a: .5\n", "a: .inf\n", "a: 2026-01-01\n", "a: tRue\n", "a:\tb\n", "a: [1,\n  2]\n", "a: [1, 2, ]\n",
        "a: \"x\n  y\"\n", "a: é\n", "? a\n: b\n", "a: b: c\n", "- - a\n", "a: {b}\n", "a: [b: c]\n", "a: \"\\x41\"\n",
        "a:b\n", "a: 1\n...\n")) {
      assertNull(PlainYamlReader.read(text), text);
    }
  }

  // ---- generated documents

  private static final List<String> SCALARS = List.of("x", "plain words", "delete_*", "http://169.254.*",
      "(/etc/|.*\\.\\./).*", "true", "True", "TRUE", "false", "tRue", "yes", "on", "No", "null", "Null", "~", "1",
      "25", "-5", "+7", "0", "-0", "007", "0x1F", "1_000", "0.50", "1.5", "-0.25", ".5", "1e3", "1.0e3", "2026-01-01",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "a#b", "a # c", "-x", "- x", "\"q\"",
      "'s''s'", "\"a\\\\b\"", "\"\"", "''", "\"a: b\"", "a: b", "[x]", "[]", "{}", "{ k: v }", "[1, \"two\", 3.5]",
      "*ref", "&a x", "!tag x", "|", ">", "%x", "@x", "`x", "? x", ":x", "x:", "<<", "=", "a,b", "a]", "\"x\" y",
      "1.", "+.5", "-.5", "+1.5", "1m", "30s", "500ms", "1e", "1x", "0b1", "0o7", "1:30", "mdc:tenant", "a:b",
      "{ per: mdc:tenant, window: 1m }", "[a:b, c]", "[a: b]", "{ a:b }", "[x:, y]", "{ k:, v: 1 }", "[1:2]", ".tollgate", ".x", ".", "..", ".NaN", "-.Inf", ".5x");
  private static final List<String> USUAL = List.of("x", "plain words", "delete_*", "http://169.254.*", "25", "-5",
      "0.50", "true", "False", "~", "\"q\"", "'s''s'", "[]", "{}", "{ k: v }", "[1, \"two\", 3.5]",
      "{ per: mdc:tenant, window: 1m }", "1m", "a#b", "x # comment", ".tollgate", "-x");
  private static final List<String> KEYS = List.of("a", "name", "max_usd", "tools", "\"quoted key\"", "'single'",
      "with space", "1", "true", "x-y", "a#b", "dup", "dup");

  @Provide
  Arbitrary<String> documents() {
    return node(3).map(lines -> String.join("\n", lines) + "\n");
  }

  /** A block mapping, as lines at indent 0 (nested blocks indented by 2 or 4). */
  private Arbitrary<List<String>> node(int depth) {
    // mostly what a policy holds, so that most documents stay in the subset and their structure is compared
    Arbitrary<String> scalar = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, Arbitraries.of(USUAL)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(SCALARS)));
    Arbitrary<String> key = Arbitraries.of(KEYS);
    Arbitrary<String> comment = Arbitraries.of("", "", "", "  # note", " #x");
    Arbitrary<Integer> indent = Arbitraries.of(2, 4);
    Arbitrary<List<String>> child = depth == 0 ? scalar.map(List::of) : Arbitraries.lazy(() -> node(depth - 1));
    Arbitrary<List<String>> entry = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, Combinators.combine(key, scalar, comment).as((k, v, c) -> List.of(k + ": " + v + c))),
        net.jqwik.api.Tuple.of(1, key.map(k -> List.of(k + ":"))),
        net.jqwik.api.Tuple.of(2, Combinators.combine(key, child, indent, comment).as((k, c, i, cm) -> {
          List<String> out = new ArrayList<>();
          out.add(k + ":" + cm);
          c.forEach(l -> out.add(" ".repeat(i) + l));
          return out;
        })),
        net.jqwik.api.Tuple.of(2, Combinators.combine(key, scalar.list().ofMinSize(1).ofMaxSize(3), indent)
            .as((k, items, i) -> {
              List<String> out = new ArrayList<>();
              out.add(k + ":");
              items.forEach(v -> out.add(" ".repeat(i == 2 ? 0 : 2) + "- " + v));
              return out;
            })),
        net.jqwik.api.Tuple.of(2, Combinators.combine(key, child, Arbitraries.of(1, 3))
            .as((k, c, pad) -> {
              // a sequence of one mapping item: "- first line" then the rest aligned under it
              List<String> out = new ArrayList<>();
              out.add(k + ":");
              String dash = "- " + " ".repeat(pad - 1);
              for (int j = 0; j < c.size(); j++) {
                out.add("  " + (j == 0 ? dash : " ".repeat(dash.length())) + c.get(j));
              }
              return out;
            })),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("", "# a comment", "   ").map(List::of)));
    return entry.list().ofMinSize(1).ofMaxSize(5).map(es -> {
      List<String> out = new ArrayList<>();
      es.forEach(out::addAll);
      return out;
    });
  }

  @Property(tries = 5000)
  void generatedDocumentsAreReadAsTheLibraryReadsThemOrLeftToIt(@ForAll("documents") String text) {
    sameOrGivesUp(text);
  }

  @Property(tries = 5000)
  void aCharacterInsertedOrDeletedAnywhereNeverMakesTheReadersDiffer(@ForAll("documents") String text,
      @ForAll("positions") double where, @ForAll("inserted") String inserted, @ForAll boolean delete) {
    int at = (int) (where * text.length());
    String mutated = delete && at < text.length()
        ? text.substring(0, at) + text.substring(at + 1)
        : text.substring(0, at) + inserted + text.substring(at);
    sameOrGivesUp(mutated);
  }

  @Provide
  Arbitrary<Double> positions() {
    return Arbitraries.doubles().between(0, 1).ofScale(4);
  }

  @Provide
  Arbitrary<String> inserted() {
    return Arbitraries.of(" ", "  ", "\n", ":", ": ", "-", "- ", "#", " #", "\"", "'", "[", "]", "{", "}", ",", "\\",
        "&", "*", "!", "|", ">", "?", "0", "x", "\r\n", ".", "~");
  }
}
