package dev.tollgate.policy.engine;

import static dev.tollgate.policy.engine.ToolGovernanceTest.call;
import static dev.tollgate.policy.engine.ToolGovernanceTest.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What one model-chosen tool name can cost: bounded in the verdict cache, in reasons and in the log. */
class BoundedNamesTest {
  private static final String POLICY = """
      version: 1
      tools:
        deny: ["delete_*"]
      """;

  @Test
  void elevenHundredHugeNamesAreRefusedAndKeptNowhere() {
    PolicyEngine e = engine(POLICY);
    String huge = "x".repeat(256 * 1024);
    for (int i = 0; i < 1100; i++) {
      ToolVerdict v = call(e, i + huge, "{}");
      assertFalse(v.proceeds());
      assertEquals("tools", v.rule());
      assertTrue(v.reason().length() < 200, v.reason());
    }
    assertEquals(0, e.cachedNames());
  }

  @Test
  void namesUpToTheLimitAreDecidedButOnlyShortOnesAreCached() {
    PolicyEngine e = engine(POLICY);
    String longName = "n".repeat(PolicyEngine.MAX_TOOL_NAME - 4);
    for (int i = 0; i < 2000; i++) {
      assertTrue(call(e, i + longName, "{}").proceeds());
    }
    assertEquals(0, e.cachedNames(), "names over " + PolicyEngine.MAX_CACHED_NAME + " characters are not cached");
    for (int i = 0; i < 2000; i++) {
      call(e, "tool_" + i, "{}");
    }
    assertEquals(PolicyEngine.MAX_CACHED_TOOLS, e.cachedNames());
    assertFalse(call(e, "delete_" + "y".repeat(900), "{}").proceeds(), "a long name is still matched");
  }

  @Test
  void theLogKeepsAPrefixAndADigestOfALongName() {
    assertEquals("search", LoggedName.of("search"));
    String a = LoggedName.of("a".repeat(100_000));
    String b = LoggedName.of("a".repeat(99_999) + "b");
    assertTrue(a.length() < 256 + 100, a);
    assertTrue(a.startsWith("a".repeat(128) + "...(100000 chars, sha256:"), a);
    assertNotEquals(a, b);
  }
}
