package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import com.google.re2j.TollgateSyntax;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The policy loader's syntax check of {@code args_regex} ({@link TollgateSyntax}: RE2/J's parser alone) refuses
 * exactly what {@code Pattern.compile} refuses, with the same message: the loader no longer compiles the expressions,
 * so a difference would let a regular expression the guard cannot compile through the load, or refuse one it could.
 */
class TollgateSyntaxTest {

  /** What {@code Pattern.compile} says of {@code regex}: "ok", or the exception's class and message. */
  private static String compiled(String regex) {
    return outcome(() -> Pattern.compile(regex));
  }

  private static String checked(String regex) {
    return outcome(() -> TollgateSyntax.check(regex));
  }

  private static String outcome(Runnable call) {
    try {
      call.run();
      return "ok";
    } catch (RuntimeException e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  @Provide
  Arbitrary<String> expressions() {
    // RE2's syntax: groups and their flags, classes, repeats and counts, escapes, Unicode classes, anchors
    return Arbitraries.strings().withChars("ab.*+?()[]{}|\\^$-,0129:pPdDsSwWQEzAbBiUsm<>=!#_ Ω\u00e9")
        .ofMaxLength(14);
  }

  @Property(tries = 20_000)
  void refusesExactlyWhatPatternCompileRefusesWithTheSameMessage(@ForAll("expressions") String regex) {
    String compiled = compiled(regex);
    Statistics.label("compiles").collect(compiled.equals("ok"));
    assertEquals(compiled, checked(regex), () -> "for " + regex);
  }

  @Test
  void knownCases() {
    for (String ok : List.of("(/etc/|.*\\.\\./).*", "^[a-z]{1,1000}$", "\\p{Greek}+", "(?i)abc", "(?P<n>x)\\Q.*\\E")) {
      TollgateSyntax.check(ok);
      assertEquals("ok", compiled(ok), ok);
    }
    for (String bad : List.of("(", "a{1001}", "[z-a]", "\\8", "a{2,1}", "x**", "\\p{NoSuch}")) {
      PatternSyntaxException e = assertThrows(PatternSyntaxException.class, () -> TollgateSyntax.check(bad), bad);
      assertEquals(compiled(bad), e.getClass().getName() + ": " + e.getMessage(), bad);
    }
  }
}
