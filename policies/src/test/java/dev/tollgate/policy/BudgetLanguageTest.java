package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The LLM sections of the policy language: budgets, llm limits, pricing, providers, ledger. */
class BudgetLanguageTest {
  private static Policy parse(String yaml) throws PolicyException {
    return PolicyLoader.parse(yaml, "p.yaml");
  }

  private static String error(String yaml) {
    return assertThrows(PolicyException.class, () -> parse(yaml)).errors().get(0).toString();
  }

  @Test
  void budgetsLoadWithDefaultsAndExactNanos() throws Exception {
    Policy p = parse("""
        version: 1
        budgets:
          - {name: per-run, scope: run, max_usd: 0.50}
          - name: daily
            scope: day
            max_usd: 20.123456789
            max_tokens: 5000000
            warn_at: [0.5, 0.75, 0.9]
            on_exceed: halt
            per: mdc:tenant
            models: "gpt-*"
          - {name: s, scope: session, max_tokens: 7, per: session}
          - {name: p, scope: process, max_usd: 3}
          - {name: m, scope: month, max_usd: 1e2}
        """);
    assertEquals(List.of(
        new Budget(0, "per-run", BudgetScope.RUN, 500_000_000L, Budget.UNSET, List.of(), OnExceed.BLOCK, null, "*"),
        new Budget(1, "daily", BudgetScope.DAY, 20_123_456_789L, 5_000_000, List.of(0.5, 0.75, 0.9), OnExceed.HALT,
            "mdc:tenant", "gpt-*"),
        new Budget(2, "s", BudgetScope.SESSION, Budget.UNSET, 7, List.of(), OnExceed.BLOCK, "session", "*"),
        new Budget(3, "p", BudgetScope.PROCESS, 3_000_000_000L, Budget.UNSET, List.of(), OnExceed.BLOCK, null, "*"),
        new Budget(4, "m", BudgetScope.MONTH, 100_000_000_000L, Budget.UNSET, List.of(), OnExceed.BLOCK, null, "*")),
        p.budgets());
    assertEquals("tenant", p.budgets().get(1).mdcKey());
    assertEquals(new BigDecimal("0.5"), p.budgets().get(0).maxUsd());
    assertNull(p.budgets().get(2).maxUsd());
  }

  @Test
  void pauseTakesAnApprovalWithDefaultsAndIsOnlyForUsdBudgets() throws Exception {
    Policy p = parse("""
        version: 1
        budgets:
          - { name: a, scope: day, max_usd: 1, on_exceed: pause }
          - { name: b, scope: day, max_usd: 1, on_exceed: pause, approval: { timeout: 90s, on_timeout: halt } }
        """);
    assertEquals(new Approval(java.time.Duration.ofMinutes(5), OnExceed.BLOCK), p.budgets().get(0).approval());
    assertEquals(new Approval(java.time.Duration.ofSeconds(90), OnExceed.HALT), p.budgets().get(1).approval());
    String misplaced = error("""
        version: 1
        budgets:
          - { name: a, scope: day, max_usd: 1, approval: { timeout: 1m } }
        """);
    assertTrue(misplaced.startsWith("p.yaml:3:") && misplaced.endsWith("budgets[0].approval applies only with "
        + "on_exceed: pause (the call waits for an operator's approve or deny)"), misplaced);
    assertTrue(error("""
        version: 1
        budgets:
          - { name: a, scope: day, max_usd: 1, on_exceed: pause, approval: { on_timeout: warn } }
        """).contains("budgets[0].approval.on_timeout must be block or halt"));
    assertTrue(error("""
        version: 1
        budgets:
          - { name: a, scope: day, max_tokens: 100, on_exceed: pause }
        """).contains("on_exceed: pause needs max_usd"));
  }

  @Test
  void limitsPauseTooWithAnApprovalButNeedMaxCallsAndNoLoopGuard() throws Exception {
    Policy p = parse("""
        version: 1
        limits:
          - { name: t, scope: run, max_calls: 3, on_exceed: pause }
          - { name: l, scope: session, llm: "*", max_calls: 2, window: 1m, per: session, on_exceed: pause,
              approval: { timeout: 30s, on_timeout: halt } }
        """);
    assertEquals(Approval.DEFAULT, p.limits().get(0).approval());
    assertEquals(new Approval(java.time.Duration.ofSeconds(30), OnExceed.HALT), p.limits().get(1).approval());
    assertEquals(OnExceed.PAUSE, p.limits().get(1).onExceed());
    String misplaced = error("""
        version: 1
        limits:
          - { name: t, scope: run, max_calls: 3, approval: { timeout: 1m } }
        """);
    assertTrue(misplaced.startsWith("p.yaml:3:") && misplaced.endsWith("limits[0].approval applies only with "
        + "on_exceed: pause (the call waits for an operator's approve or deny)"), misplaced);
    String loopGuard = error("""
        version: 1
        limits:
          - { name: t, scope: run, max_calls: 3, max_identical: 2, on_exceed: pause }
        """);
    assertTrue(loopGuard.startsWith("p.yaml:3:") && loopGuard.contains("limits[0].max_identical cannot pause"),
        loopGuard);
    assertTrue(assertThrows(PolicyException.class, () -> parse("""
        version: 1
        limits:
          - { name: t, scope: run, max_identical: 2, on_exceed: pause }
        """)).errors().toString().contains("limits[0].on_exceed: pause needs max_calls"));
    assertTrue(error("""
        version: 1
        limits:
          - { name: t, scope: run, max_calls: 2, on_exceed: pause, approval: { on_timeout: warn } }
        """).contains("limits[0].approval.on_timeout must be block or halt"));
  }

  @Test
  void maxUsdBeyondNineDecimalsIsRoundedDownToNanos() throws Exception {
    assertEquals(1_999_999_999L,
        parse("version: 1\nbudgets: [{name: a, scope: run, max_usd: 1.9999999999}]\n").budgets().get(0).maxNanos());
  }

  @Test
  void llmLimitsLoadAndToolLimitsKeepTheirDefaultGlob() throws Exception {
    Policy p = parse("""
        version: 1
        limits:
          - {name: llm-per-run, scope: run, llm: "*", max_calls: 40}
          - {name: tools, scope: run, max_calls: 3}
        """);
    Limit llm = p.limits().get(0);
    assertTrue(llm.countsLlmCalls());
    assertEquals("*", llm.llm());
    assertNull(llm.tools());
    assertEquals(new Limit(1, "tools", Scope.RUN, "*", 3, OnExceed.BLOCK), p.limits().get(1));
  }

  @Test
  void limitsMayNotUseTheCalendarScopesOfBudgets() {
    assertEquals("p.yaml:2:27: limits[0].scope must be one of run, session, process; got \"day\"",
        error("version: 1\nlimits: [{name: a, scope: day, llm: \"*\", max_calls: 1}]\n"));
  }

  @Test
  void pricingLoadsEveryForm() throws Exception {
    Policy p = parse("""
        version: 1
        pricing:
          unknown_model: {input_per_mtok: 10, output_per_mtok: 30, cache_read_per_mtok: 1}
          default_max_output_tokens: 1000
          models:
            my-finetune: {input_per_mtok: 3.0, output_per_mtok: 12}
            "llama-*": {input_per_mtok: 0, output_per_mtok: 0, cache_write_per_mtok: 0.5, reasoning_per_mtok: 2}
        """);
    assertEquals(new Pricing(Pricing.UnknownModel.PRICE, new ModelRate(10, 30, 1.0, null, null), 1000, Map.of(
        "my-finetune", new ModelRate(3, 12, null, null, null),
        "llama-*", new ModelRate(0, 0, null, 0.5, 2.0))), p.pricing());
    assertEquals(List.of("my-finetune", "llama-*"), List.copyOf(p.pricing().models().keySet()));
    assertEquals(Pricing.UnknownModel.WARN, parse("version: 1\npricing: {unknown_model: warn}\n").pricing().unknownModel());
    assertEquals(Pricing.DEFAULT, parse("version: 1\npricing: {}\n").pricing());
  }

  @Test
  void defaultsApplyWhenTheNewSectionsAreLeftOut() throws Exception {
    Policy p = parse("version: 1\n");
    assertEquals(List.of(), p.budgets());
    assertEquals(Pricing.DEFAULT, p.pricing());
    assertEquals(Pricing.UnknownModel.BLOCK, p.pricing().unknownModel());
    assertEquals(4096, p.pricing().defaultMaxOutputTokens());
    assertEquals(List.of(), p.providers());
    assertEquals(new LedgerSettings(".tollgate", "UTC"), p.ledger());
  }

  @Test
  void providersAndLedgerLoad() throws Exception {
    Policy p = parse("""
        version: 1
        providers:
          - {base_url: "https://llm-gateway.internal/v1", format: openai, name: gateway}
          - {base_url: "http://127.0.0.1:11434", format: ollama}
        ledger: {dir: /var/lib/tollgate, time_zone: America/New_York, key_file: /etc/tollgate/ledger.key}
        """);
    assertEquals(List.of(new ProviderEndpoint(0, "gateway", "https://llm-gateway.internal/v1", "openai"),
        new ProviderEndpoint(1, null, "http://127.0.0.1:11434", "ollama")), p.providers());
    assertEquals(new LedgerSettings("/var/lib/tollgate", "America/New_York", "/etc/tollgate/ledger.key"), p.ledger());
    assertEquals(java.time.ZoneId.of("America/New_York"), p.ledger().zone());
  }

  @ParameterizedTest
  @ValueSource(strings = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "GMT", "Z", "+05:30"})
  void validZonesAreAccepted(String zone) throws Exception {
    assertEquals(zone, parse("version: 1\nledger: {time_zone: \"" + zone + "\"}\n").ledger().timeZone());
  }

  @Test
  void badZoneHintsTheNearestOrTheRegionOfAnAbbreviation() {
    assertTrue(error("version: 1\nledger: {time_zone: Europe/Berlim}\n").endsWith("did you mean \"Europe/Berlin\"?"));
    assertTrue(error("version: 1\nledger: {time_zone: PST}\n").endsWith("did you mean \"America/Los_Angeles\"?"));
    assertTrue(error("version: 1\nledger: {time_zone: america/new_york}\n")
        .endsWith("did you mean \"America/New_York\"?"));
    assertEquals("p.yaml:2:21: ledger.time_zone must be a time zone ID such as \"UTC\" or \"Europe/Berlin\";"
        + " got \"Mars/Olympus\" (not a known zone)", error("version: 1\nledger: {time_zone: Mars/Olympus}\n"));
  }

  @Test
  void withModeAndWithProfileKeepTheNewSections() throws Exception {
    Policy p = PolicyLoader.load(Path.of("examples/budgets.yaml"));
    Policy changed = p.withMode(Mode.MONITOR);
    assertEquals(Mode.MONITOR, changed.mode());
    assertEquals(p.budgets(), changed.budgets());
    assertEquals(p.pricing(), changed.pricing());
    assertEquals(p.providers(), changed.providers());
    assertEquals(p.ledger(), changed.ledger());
    Policy withProfiles = parse("""
        version: 1
        profiles: {ro: {tools: {default: deny}}}
        budgets: [{name: a, scope: run, max_usd: 1}]
        pricing: {unknown_model: warn}
        providers: [{base_url: "https://x.example/v1", format: anthropic}]
        ledger: {time_zone: Europe/Berlin}
        """);
    Policy ro = withProfiles.withProfile("ro");
    assertEquals(withProfiles.budgets(), ro.budgets());
    assertEquals(withProfiles.pricing(), ro.pricing());
    assertEquals(withProfiles.providers(), ro.providers());
    assertEquals(withProfiles.ledger(), ro.ledger());
  }

  @Test
  void theExampleHasEveryNewSection() throws Exception {
    Policy p = PolicyLoader.load(Path.of("examples/budgets.yaml"));
    assertEquals(4, p.budgets().size());
    assertTrue(p.limits().stream().anyMatch(Limit::countsLlmCalls));
    assertEquals(3, p.pricing().models().size());
    assertEquals(2, p.providers().size());
    assertEquals("Europe/Berlin", p.ledger().timeZone());
  }

  @Test
  void oldConstructorsStillBuildPoliciesWithDefaults() {
    Policy p = new Policy("x", 1, Mode.ENFORCE, new ToolRules(Access.ALLOW, List.of(), List.of()), List.of(),
        new LogSettings(null));
    assertEquals(List.of(), p.budgets());
    assertEquals(Pricing.DEFAULT, p.pricing());
    assertEquals(LedgerSettings.DEFAULT, p.ledger());
  }
}
