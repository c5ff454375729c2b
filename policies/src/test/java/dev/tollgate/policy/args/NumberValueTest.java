package dev.tollgate.policy.args;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Numbers read as the frameworks coerce them before the tool method runs. */
class NumberValueTest {
  private static final ArgumentMatcher.Compiled ABOVE_1000 =
      new ArgumentMatcher.Bound(new BigDecimal("1000"), false).compile(MatchContext.system());
  private static final ArgumentMatcher.Compiled BELOW_0 =
      new ArgumentMatcher.Bound(BigDecimal.ZERO, true).compile(MatchContext.system());

  private static ArgumentValue number(String json) {
    return new ArgumentValue(ArgumentValue.Kind.NUMBER, json, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1001", "1e4", "1.0001e3", "1000.0000001", "99999999999999999999999", "1E+4"})
  void numbersAboveTheBoundMatch(String json) {
    assertEquals(Reading.Result.MATCH, ABOVE_1000.read(number(json), true).result(), json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1001", " 1001", "1001 ", "1e4", "+1001", "1000.5", "\t2000\n", "1.5E3", ".5e4"})
  void numericStringsAreTheNumberTheyHold(String text) {
    assertEquals(Reading.Result.MATCH, ABOVE_1000.read(ArgumentValue.string(text), true).result(), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1000", "1e3", "1000.0", "999.99", "-5000", "0", "1000.000"})
  void theBoundItselfAndBelowDoNotMatchAbove(String json) {
    assertEquals(Reading.Result.NO_MATCH, ABOVE_1000.read(number(json), true).result(), json);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1,000", "0x3e8", "NaN", "Infinity", "-Infinity", "1_000", "1000L", "$1000", "1e", "e3",
      "", " ", "1e99999", "1.2.3", "١٠٠٠", "１０００", "--1", "1000 USD"})
  void anythingElseIsUninterpretable(String text) {
    Reading r = ABOVE_1000.read(ArgumentValue.string(text), true);
    assertEquals(Reading.Result.UNINTERPRETABLE, r.result(), text + " -> " + r.account());
  }

  @org.junit.jupiter.api.Test
  void booleansNullsAndObjectsAreNotNumbers() {
    assertEquals(Reading.Result.UNINTERPRETABLE,
        ABOVE_1000.read(new ArgumentValue(ArgumentValue.Kind.BOOLEAN, "true", null), true).result());
    assertEquals(Reading.Result.UNINTERPRETABLE,
        ABOVE_1000.read(new ArgumentValue(ArgumentValue.Kind.OBJECT, "{\"v\":5000}", null), true).result());
    assertEquals(Reading.Result.MATCH, BELOW_0.read(number("-0.01"), true).result());
    assertEquals(Reading.Result.NO_MATCH, BELOW_0.read(number("-0"), true).result());
  }
}
