package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoaderTest {

  /** Every file in test resources {@code bad/} next to a {@code .expected} file listing its errors, one a line. */
  static Stream<String> badPolicies() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(badDir())) {
      List<String> names = files.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".expected"))
          .sorted()
          .toList();
      return names.stream();
    }
  }

  private static Path badDir() throws URISyntaxException {
    return Path.of(PolicyLoaderTest.class.getResource("/bad").toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPolicies")
  void malformedPolicyIsRejectedWithExactLocatedMessages(String name) throws Exception {
    String text = Files.readString(badDir().resolve(name), StandardCharsets.UTF_8);
    List<String> expected = Files.readAllLines(badDir().resolve(name + ".expected"));

    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse(text, name));

    assertEquals(expected, e.errors().stream().map(PolicyError::toString).toList());
    assertEquals(expected.get(0) + (expected.size() > 1 ? " (and " + (expected.size() - 1) + " more)" : ""),
        e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPolicies")
  void errorMessagesNeverLeakJavaInternals(String name) throws Exception {
    String text = Files.readString(badDir().resolve(name), StandardCharsets.UTF_8);
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse(text, name));
    for (PolicyError error : e.errors()) {
      String m = error.message();
      assertFalse(m.matches("(?s).*(com\\.fasterxml|org\\.yaml|java\\.|Exception|\\[Source|\\bat \\w+\\.).*"), m);
    }
  }

  @Test
  void badCorpusIsLargeAndCoversBothFormats() throws Exception {
    List<String> names = badPolicies().toList();
    assertTrue(names.size() >= 25, "only " + names.size() + " bad policies");
    assertTrue(names.stream().filter(n -> n.endsWith(".json")).count() >= 5);
  }

  @Test
  void collectsEveryErrorInFileOrderNotJustTheFirst() {
    String text = """
        version: 1
        mode: enforced
        tools:
          deny: ["shell_*", 7]
        limits:
          - name: a
            scope: run
            max_calls: -1
        """;
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse(text, "tollgate.yaml"));
    assertEquals(List.of(
        "tollgate.yaml:2:7: mode must be one of enforce, monitor; got \"enforced\"",
        "tollgate.yaml:4:21: tools.deny[1] must be a string (a glob such as \"read_*\"), got a number",
        "tollgate.yaml:8:16: limits[0].max_calls must be an integer >= 0, got -1"),
        e.errors().stream().map(PolicyError::toString).toList());
    assertEquals("tollgate.yaml:2:7: mode must be one of enforce, monitor; got \"enforced\" (and 2 more)", e.getMessage());
  }

  @Test
  void yamlAndJsonOfTheSamePolicyLoadToEqualPolicies() throws Exception {
    String yaml = """
        version: 1
        mode: monitor
        tools:
          default: deny
          allow: ["read_*", "search_?"]
          deny: ["read_secrets"]
        limits:
          - name: reads
            scope: process
            tools: "read_*"
            max_calls: 10
            on_exceed: warn
          - {name: per-run, scope: run, max_calls: 0}
        log:
          path: out.jsonl
        """;
    String json = """
        {"version": 1, "mode": "monitor",
         "tools": {"default": "deny", "allow": ["read_*", "search_?"], "deny": ["read_secrets"]},
         "limits": [
           {"name": "reads", "scope": "process", "tools": "read_*", "max_calls": 10, "on_exceed": "warn"},
           {"name": "per-run", "scope": "run", "max_calls": 0}],
         "log": {"path": "out.jsonl"}}
        """;
    Policy fromYaml = PolicyLoader.parse(yaml, "p.yaml");
    Policy fromJson = PolicyLoader.parse(json, "p.json");

    Policy expected = new Policy("p.yaml", 1, Mode.MONITOR,
        new ToolRules(Access.DENY, List.of("read_*", "search_?"), List.of("read_secrets")),
        List.of(new Limit(0, "reads", Scope.PROCESS, "read_*", 10, OnExceed.WARN),
            new Limit(1, "per-run", Scope.RUN, "*", 0, OnExceed.BLOCK)),
        new LogSettings("out.jsonl"));
    assertEquals(expected, fromYaml);
    assertEquals(new Policy("p.json", expected.version(), expected.mode(), expected.tools(), expected.limits(),
        expected.log()), fromJson);
  }

  @Test
  void defaultsApplyWhenSectionsAreLeftOut() throws Exception {
    Policy p = PolicyLoader.parse("version: 1\n", "min.yaml");
    assertEquals(new Policy("min.yaml", 1, Mode.ENFORCE, new ToolRules(Access.ALLOW, List.of(), List.of()),
        List.of(), new LogSettings(null)), p);
  }

  @Test
  void jsonIsChosenByFileNameOnly() {
    // valid YAML, but a .json name means JSON parsing
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse("version: 1\n", "p.json"));
    assertTrue(e.errors().get(0).message().startsWith("malformed JSON"), e.getMessage());
  }

  @Test
  void missingFileIsAnErrorWithoutLocation(@TempDir Path dir) {
    Path file = dir.resolve("nope.yaml");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(file));
    assertEquals(List.of(new PolicyError(file.toString(), 0, 0, "cannot read policy file: no such file")), e.errors());
  }

  @Test
  void directoryIsNotAPolicyFile(@TempDir Path dir) {
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(dir));
    assertEquals(dir + ":0:0: cannot read policy file: it is a directory", e.errors().get(0).toString());
  }

  @Test
  void fileOverOneMebibyteIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.yaml");
    Files.writeString(file, "version: 1\n# " + "x".repeat(PolicyLoader.MAX_BYTES) + "\n");
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(file));
    assertEquals(0, e.errors().get(0).line());
    assertTrue(e.errors().get(0).message().startsWith("policy file is too large ("), e.getMessage());
  }

  @Test
  void nonUtf8FileIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, "version: 1\nmode: \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(file));
    assertEquals("cannot read policy file: the file is not UTF-8 text", e.errors().get(0).message());
  }

  @Test
  void loadReadsFileAndNamesItAsGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tollgate.json");
    Files.writeString(file, "\uFEFF{\"version\": 1, \"mode\": \"monitor\"}");
    Policy p = PolicyLoader.load(file);
    assertEquals(Mode.MONITOR, p.mode());
    assertEquals(file.toString(), p.source());
  }

  @Test
  void quotedEmptyStringIsAStringButBareEmptyValueIsNothing() {
    PolicyException quoted = assertThrows(PolicyException.class,
        () -> PolicyLoader.parse("version: 1\nlog:\n  path: \"\"\n", "t.yaml"));
    assertEquals("t.yaml:3:9: log.path must be a non-empty string (a file path), got \"\"", quoted.errors().get(0).toString());
    PolicyException bare = assertThrows(PolicyException.class,
        () -> PolicyLoader.parse("version: 1\nlog:\n  path:\n", "t.yaml"));
    assertEquals("t.yaml:3:8: log.path must be a non-empty string (a file path), got an empty value",
        bare.errors().get(0).toString());
  }

  @Test
  void unknownKeySuggestionNeedsEditDistanceAtMostTwo() {
    assertEquals("max_calls", PolicyValidator.nearest("max_call", PolicyValidator.LIMIT_KEYS));
    assertEquals("on_exceed", PolicyValidator.nearest("onexceed", PolicyValidator.LIMIT_KEYS));
    assertEquals(null, PolicyValidator.nearest("budget_usd", PolicyValidator.LIMIT_KEYS));
  }

  @Test
  void newKeysLoadIntoTheirRecords() throws Exception {
    Policy p = PolicyLoader.parse("""
        version: 1
        profile: ro
        tools: {deny: ["x"]}
        profiles:
          ro:
            tools:
              default: deny
              rules:
                - {tool: "http_*", args: {url: "https://*"}, args_regex: {method: "GET|HEAD"}, decision: allow}
          admin: {tools: {}}
        limits:
          - {name: a, scope: session, max_identical: 2, window: 90s, per: "mdc:tenant", on_exceed: warn}
          - {name: b, scope: run, max_calls: 5, window: 250ms}
        runs:
          entry_points: ["com.acme.Agent#handle", "com.acme.Outer$Inner#run"]
        """, "p.yaml");
    ToolRules ro = new ToolRules(Access.DENY, List.of(), List.of(), List.of(new ArgumentRule(0, "http_*",
        java.util.Map.of("url", "https://*"), java.util.Map.of("method", "GET|HEAD"), Access.ALLOW, null)),
        "profiles.ro.tools");
    assertEquals(ro, p.tools(), "the active profile's tools replace the top-level tools");
    assertEquals("ro", p.profile());
    assertEquals(List.of("ro", "admin"), List.copyOf(p.profiles().keySet()));
    assertEquals(new ToolRules(Access.ALLOW, List.of(), List.of(), List.of(), "profiles.admin.tools"),
        p.profiles().get("admin"));
    assertEquals(List.of(
        new Limit(0, "a", Scope.SESSION, "*", Limit.UNSET, OnExceed.WARN, java.time.Duration.ofSeconds(90), 2,
            "mdc:tenant"),
        new Limit(1, "b", Scope.RUN, "*", 5, OnExceed.BLOCK, java.time.Duration.ofMillis(250), Limit.UNSET, null)),
        p.limits());
    assertEquals("tenant", p.limits().get(0).mdcKey());
    assertEquals(List.of(new EntryPoint("com.acme.Agent", "handle"), new EntryPoint("com.acme.Outer$Inner", "run")),
        p.entryPoints());
    assertEquals("com.acme.Outer$Inner#run", p.entryPoints().get(1).toString());
  }

  @Test
  void withProfileSwitchesTheToolRulesAndWithModeKeepsEverythingElse() throws Exception {
    Policy p = PolicyLoader.parse("""
        version: 1
        tools: {deny: ["x"]}
        profiles:
          readonly: {tools: {default: deny, allow: ["read_*"]}}
          admin: {tools: {}}
        runs: {entry_points: ["a.B#c"]}
        """, "p.yaml");
    assertEquals(null, p.profile());
    assertEquals(List.of("x"), p.tools().deny());
    Policy ro = p.withProfile("readonly");
    assertEquals("readonly", ro.profile());
    assertEquals(p.profiles().get("readonly"), ro.tools());
    assertEquals(p.entryPoints(), ro.entryPoints());
    Policy monitored = ro.withMode(Mode.MONITOR);
    assertEquals(new Policy("p.yaml", 1, Mode.MONITOR, ro.tools(), ro.limits(), ro.log(), "readonly", ro.profiles(),
        ro.entryPoints()), monitored);
  }

  @Test
  void withProfileOfAnUnknownNameListsTheProfiles() throws Exception {
    Policy p = PolicyLoader.parse("version: 1\nprofiles:\n  readonly: {tools: {}}\n  admin: {tools: {}}\n", "p.yaml");
    PolicyException e = assertThrows(PolicyException.class, () -> p.withProfile("read-only"));
    assertEquals("p.yaml:0:0: profile \"read-only\" (chosen by tollgate.profile) is not defined in the policy;"
        + " profiles: readonly, admin; did you mean \"readonly\"?", e.getMessage());
    PolicyException none = assertThrows(PolicyException.class,
        () -> PolicyLoader.parse("version: 1\n", "q.yaml").withProfile("x"));
    assertEquals("q.yaml:0:0: profile \"x\" (chosen by tollgate.profile) is not defined in the policy;"
        + " the policy defines no profiles", none.getMessage());
  }

  @Test
  void everyLimitSpellingOfWindowUnitsIsAccepted() throws Exception {
    for (String w : List.of("1ms", "30s", "5m", "1h", "24h", "1440m", "86400000ms")) {
      Policy p = PolicyLoader.parse("version: 1\nlimits:\n  - {name: l, scope: run, max_calls: 1, window: " + w + "}\n",
          "p.yaml");
      assertTrue(p.limits().get(0).window().toMillis() > 0, w);
    }
  }
}
