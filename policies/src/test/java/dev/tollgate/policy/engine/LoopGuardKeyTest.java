package dev.tollgate.policy.engine;

import static dev.tollgate.policy.engine.ToolGovernanceTest.call;
import static dev.tollgate.policy.engine.ToolGovernanceTest.engine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The loop guard counts spellings of one call as one call, and never merges two different calls. */
class LoopGuardKeyTest {
  private static final String POLICY = """
      version: 1
      limits:
        - { name: no-loops, scope: run, tools: "*", max_identical: 2 }
      """;

  private static String key(String json) {
    return Arguments.read(json).canonical();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"n\": 1.0}", "{\"n\": 1e0}", "{\"n\": \"1\"}", "{\"n\": 10e-1}", "{\"n\": 0.1e1}",
      "{\"n\": 1.000}", "{\"n\": \" 1 \"}", "{\"n\": 1E0}", "{\"n\": 100e-2}"})
  void spellingsOfOneNumberAreOneCall(String variant) {
    assertEquals(key("{\"n\": 1}"), key(variant), variant);
  }

  @Test
  void threeSpellingsOfTheSameCallHitMaxIdentical() {
    PolicyEngine e = engine(POLICY);
    assertTrue(call(e, "transfer", "{\"amount\": 1, \"to\": \"bob\"}").proceeds());
    assertTrue(call(e, "transfer", "{\"to\": \"bob\", \"amount\": 1.0}").proceeds());
    ToolVerdict third = call(e, "transfer", "{\"amount\": \"1\", \"to\": \"bo\\u0062\"}");
    assertFalse(third.proceeds());
    assertEquals("limits[0]", third.rule());
  }

  @Test
  void canonicallyEquivalentUnicodeIsOneCall() {
    assertEquals(key("{\"q\": \"caf\\u00e9\"}"), key("{\"q\": \"cafe\\u0301\"}"));
    assertEquals(key("{\"caf\\u00e9\": 1}"), key("{\"cafe\\u0301\": 1}"));
  }

  @Test
  void keysAreSortedAtEveryDepth() {
    assertEquals(key("{\"a\": {\"x\": 1, \"y\": [1, {\"q\": 2, \"p\": 3}]}, \"b\": 2}"),
        key("{\"b\": 2.0, \"a\": {\"y\": [1, {\"p\": 3, \"q\": 2}], \"x\": 1}}"));
  }

  @Test
  void differentValuesStayDifferent() {
    List<String> distinct = List.of("{\"n\": 1}", "{\"n\": 2}", "{\"n\": \"1a\"}", "{\"n\": true}",
        "{\"n\": \"true\"}", "{\"n\": null}", "{\"n\": \"null\"}", "{\"n\": [1]}", "{\"n\": {}}", "{\"n\": \"\"}",
        "{\"n\": \"\\ud800\"}", "{\"n\": \"\\udc00\"}", "{\"n\": \"\\ud801\"}", "{\"n\": \"?\"}",
        "{\"n\": \"\\ufffd\"}", "{\"n\": \"a\\\"b\"}", "{\"n\": \"a\", \"m\": 1}", "{\"n\": \"[1]\"}",
        "{\"n\": 1e400}", "{\"n\": 1e401}", "{\"n\": \"0x1\"}", "{\"n\": 0.30000000000000004}", "{\"n\": 0.3}");
    for (int i = 0; i < distinct.size(); i++) {
      for (int j = i + 1; j < distinct.size(); j++) {
        assertNotEquals(key(distinct.get(i)), key(distinct.get(j)), distinct.get(i) + " vs " + distinct.get(j));
      }
    }
  }

  @Test
  void loneSurrogatesDoNotCollideInTheLimitEither() {
    PolicyEngine e = engine("""
        version: 1
        limits:
          - { name: no-loops, scope: run, tools: "*", max_identical: 1 }
        """);
    assertTrue(call(e, "search", "{\"q\": \"\\ud800\"}").proceeds());
    assertTrue(call(e, "search", "{\"q\": \"\\udbff\"}").proceeds(), "another lone surrogate is another call");
    assertTrue(call(e, "search", "{\"q\": \"?\"}").proceeds(), "and so is a question mark");
    assertFalse(call(e, "search", "{\"q\": \"\\ud800\"}").proceeds());
  }

  @Property(tries = 300)
  void integersAndTheirDecimalSpellingsAgree(@ForAll long n, @ForAll("zeros") String zeros) {
    assertEquals(key("{\"n\": " + n + "}"), key("{\"n\": " + n + "." + zeros + "}"));
    assertEquals(key("{\"n\": " + n + "}"), key("{\"n\": \"" + n + "\"}"));
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> zeros() {
    return net.jqwik.api.Arbitraries.strings().withChars('0').ofMinLength(1).ofMaxLength(5);
  }

  @Property(tries = 300)
  void distinctStringsHaveDistinctKeysUnlessCanonicallyEquivalent(@ForAll String a, @ForAll String b) {
    String ka = LoopGuardKey.text(a);
    String kb = LoopGuardKey.text(b);
    if (ka.equals(kb)) {
      assertEquals(java.text.Normalizer.normalize(a, java.text.Normalizer.Form.NFC),
          java.text.Normalizer.normalize(b, java.text.Normalizer.Form.NFC));
    }
  }
}
