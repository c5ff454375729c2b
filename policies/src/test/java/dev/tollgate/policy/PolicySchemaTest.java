package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Keeps the shipped JSON Schema and the strict loader in agreement, on the examples and on bad policies. */
class PolicySchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
      .build());
  private static final JsonSchema SCHEMA = loadSchema();

  private static JsonSchema loadSchema() {
    try (InputStream in = PolicySchemaTest.class.getResourceAsStream("/dev/tollgate/policy/tollgate-policy.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static Stream<Path> examples() throws IOException {
    // surefire runs with the module directory as working directory
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      List<Path> list = files.filter(p -> p.toString().matches(".*\\.(yaml|yml|json)$")).sorted().toList();
      return list.stream();
    }
  }

  private static JsonNode tree(Path file) throws IOException {
    return (file.toString().endsWith(".json") ? JSON : YAML).readTree(file.toFile());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleMatchesTheSchemaAndLoads(Path example) throws Exception {
    Set<ValidationMessage> problems = SCHEMA.validate(tree(example));
    assertTrue(problems.isEmpty(), problems.toString());
    assertEquals(1, PolicyLoader.load(example).version());
  }

  @Test
  void thereAreExamplesInBothFormats() throws IOException {
    List<Path> list = examples().toList();
    assertTrue(list.size() >= 3, list.toString());
    assertTrue(list.stream().anyMatch(p -> p.toString().endsWith(".json")));
  }

  @Test
  void demoPolicyHasTheSemanticsTheDemoReliesOn() throws Exception {
    Policy demo = PolicyLoader.load(Path.of("examples/langchain4j-demo.yaml"));
    assertEquals(new Policy(demo.source(), 1, Mode.ENFORCE,
        new ToolRules(Access.ALLOW, List.of(), List.of("delete_*", "shell_*")),
        List.of(new Limit(0, "tools-per-run", Scope.RUN, "*", 3, OnExceed.BLOCK)),
        new LogSettings("tollgate-demo.jsonl")), demo);
  }

  /**
   * Bad policies (from the loader's corpus) whose problem a JSON Schema can see; duplicate keys, duplicate
   * limit and budget names, aliases, syntax errors, invalid regexes, window bounds, undefined profiles,
   * non-increasing warn_at and unknown time zones are the loader's alone.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "mode-typo.yaml", "max-calls-negative.yaml", "unknown-top-key.yaml", "deny-number.yaml", "deny-string.yaml",
      "deny-empty-value.yaml", "missing-max-calls.yaml", "version-missing.yaml", "version-2.yaml",
      "version-string.yaml", "max-calls-string.yaml", "max-calls-decimal.yaml", "bad-scope-and-on-exceed.yaml",
      "limit-name-invalid.yaml", "glob-empty.yaml",
      "glob-non-ascii.yaml", "top-level-list.yaml", "tools-list.json", "limits-mapping.json",
      "limit-item-string.yaml", "log-path-blank.yaml", "boolean-like-word.yaml", "default-capitalised.yaml",
      "max-calls-too-large.json", "max-calls-boolean.json",
      "rule-decision-typo.yaml", "rule-args-number.yaml", "rule-args-list.json", "rule-unknown-key.yaml",
      "rules-not-a-list.json", "rule-missing-tool-and-decision.yaml", "rule-reason-and-arg-name.yaml",
      "window-no-unit.yaml", "window-bad-unit.yaml", "profile-without-tools.yaml",
      "profile-errors-use-profile-paths.yaml", "entry-point-syntax.yaml", "entry-points-string.json",
      "runs-unknown-key.yaml", "limit-without-caps.yaml", "per-bad.yaml", "max-identical-zero.yaml",
      "budget-missing-caps.yaml", "budget-max-usd-range.yaml", "budget-max-tokens-decimal.yaml",
      "budget-warn-at-range.yaml", "budget-warn-at-too-many.yaml", "budget-unknown-key.yaml",
      "budget-bad-scope-per-models.yaml", "budgets-mapping.json", "limit-llm-and-tools.yaml",
      "limit-llm-max-identical.yaml", "pricing-bad-unknown-model.yaml", "pricing-model-rate-errors.yaml",
      "pricing-unknown-key.yaml", "providers-bad-url.yaml", "providers-unknown-key.json", "ledger-unknown-key.yaml",
      "ledger-zone-number.yaml", "metrics-port-range.yaml", "metrics-unknown-key.yaml",
      "metrics-prometheus-not-a-mapping.yaml", "metrics-host-and-port-types.yaml"})
  void badPolicyIsRejectedByBothSchemaAndLoader(String name) throws Exception {
    Path file = Path.of(PolicySchemaTest.class.getResource("/bad/" + name).toURI());
    assertFalse(SCHEMA.validate(tree(file)).isEmpty(), name + " passes the schema");
    assertThrows(PolicyException.class, () -> PolicyLoader.load(file));
  }

  @Test
  void schemaRejectsWhatTheLoaderRejectsInline() throws Exception {
    String withUnknownLimitKey = "{\"version\": 1, \"limits\": [{\"name\": \"a\", \"scope\": \"run\", \"max_calls\": 1, \"budget\": \"*\"}]}";
    assertFalse(SCHEMA.validate(JSON.readTree(withUnknownLimitKey)).isEmpty());
    assertThrows(PolicyException.class, () -> PolicyLoader.parse(withUnknownLimitKey, "inline.json"));

    String valid = "{\"version\": 1, \"limits\": [{\"name\": \"a.b-c_1\", \"scope\": \"run\", \"max_calls\": 0}]}";
    assertTrue(SCHEMA.validate(JSON.readTree(valid)).isEmpty());
    assertEquals(0, PolicyLoader.parse(valid, "inline.json").limits().get(0).maxCalls());
  }

  @Test
  void schemaAcceptsEveryFormOfTheNewSections() throws Exception {
    String valid = """
        {"version": 1,
         "limits": [{"name": "l", "scope": "session", "llm": "gpt-*", "max_calls": 3, "window": "1m"}],
         "budgets": [{"name": "b", "scope": "month", "max_tokens": 10, "warn_at": [0.1, 0.2], "per": "session",
                      "models": "claude-*", "on_exceed": "halt"}],
         "pricing": {"unknown_model": {"input_per_mtok": 1, "output_per_mtok": 2.5}, "default_max_output_tokens": 1,
                     "models": {"m": {"input_per_mtok": 0, "output_per_mtok": 0, "reasoning_per_mtok": 3}}},
         "providers": [{"base_url": "http://127.0.0.1:8080", "format": "azure-openai"}],
         "ledger": {"dir": "/var/lib/tollgate", "time_zone": "America/New_York"},
         "metrics": {"prometheus": {"host": "127.0.0.1", "port": 9464}}}""";
    assertTrue(SCHEMA.validate(JSON.readTree(valid)).isEmpty(), SCHEMA.validate(JSON.readTree(valid)).toString());
    Policy p = PolicyLoader.parse(valid, "inline.json");
    assertEquals("America/New_York", p.ledger().timeZone());
    assertEquals(new MetricsSettings.Prometheus("127.0.0.1", 9464), p.metrics().prometheus());
    for (String unknown : List.of("\"block\"", "\"warn\"")) {
      String text = "{\"version\": 1, \"pricing\": {\"unknown_model\": " + unknown + "}}";
      assertTrue(SCHEMA.validate(JSON.readTree(text)).isEmpty());
      PolicyLoader.parse(text, "inline.json");
    }
  }

  @Test
  void schemaIsShippedInTheMainJarResources() throws URISyntaxException {
    assertTrue(Files.exists(Path.of(PolicySchemaTest.class
        .getResource("/dev/tollgate/policy/tollgate-policy.schema.json").toURI())));
  }
}
