package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageGapTest {
  private static Policy policy(String yaml) throws PolicyException {
    return PolicyLoader.parse("version: 1\n" + yaml, "tollgate.yaml");
  }

  @Test
  void budgetsWithoutAnLlmClientAreAGapThatIsReportedNotEnforced() throws Exception {
    CoverageGap gap = CoverageGap.of(policy("budgets: [{name: b, scope: run, max_usd: 1}]\n"), false, true);
    assertEquals(List.of("llm"), gap.missing());
    assertFalse(gap.enforced());
    assertTrue(gap.reason().startsWith("no HTTP client that carries LLM calls is instrumented in this JVM, so budgets"
        + " cannot count a single LLM call"), gap.reason());
  }

  @Test
  void llmLimitsNeedAnLlmClientToo() throws Exception {
    CoverageGap gap = CoverageGap.of(policy("limits: [{name: l, scope: run, llm: \"*\", max_calls: 3}]\n"), false,
        false);
    assertEquals(List.of("llm"), gap.missing());
    assertTrue(gap.reason().contains("LLM-call limits cannot count"), gap.reason());
  }

  @Test
  void aToolOnlyPolicyHasNoGap() throws Exception {
    assertNull(CoverageGap.of(policy("tools: {deny: [\"delete_*\"]}\n"), false, false));
    assertNull(CoverageGap.of(policy("limits: [{name: l, scope: run, max_calls: 3}]\n"), false, true));
  }

  @Test
  void coveredPoliciesHaveNoGap() throws Exception {
    assertNull(CoverageGap.of(policy("budgets: [{name: b, scope: run, max_usd: 1}]\ncoverage: {require: [llm, tools]}\n"),
        true, true));
  }

  @Test
  void aRequiredCoverageThatIsMissingRefusesGovernedCalls() throws Exception {
    Policy p = policy("budgets: [{name: b, scope: run, max_usd: 1}]\ncoverage: {require: [llm, tools]}\n");
    CoverageGap gap = CoverageGap.of(p, false, false);
    assertEquals(List.of("llm", "tools"), gap.missing());
    assertTrue(gap.enforced());
    assertTrue(gap.refusal().startsWith("blocked by policy: coverage.require: no HTTP client"), gap.refusal());
    CoverageGap toolsOnly = CoverageGap.of(p, true, false);
    assertEquals(List.of("tools"), toolsOnly.missing());
    assertTrue(toolsOnly.enforced());
  }

  @Test
  void monitorModeReportsButNeverRefuses() throws Exception {
    CoverageGap gap = CoverageGap.of(policy("mode: monitor\ncoverage: {require: [llm]}\n"), false, true);
    assertEquals(List.of("llm"), gap.missing());
    assertFalse(gap.enforced());
  }

  @Test
  void requireIsParsed() throws Exception {
    assertEquals(new Coverage(true, false), policy("coverage: {require: [llm]}\n").coverage());
    assertEquals(new Coverage(false, true), policy("coverage:\n  require: [tools]\n").coverage());
    assertEquals(Coverage.DEFAULT, policy("coverage: {}\n").coverage());
    assertEquals(Coverage.DEFAULT, policy("tools: {}\n").coverage());
  }
}
