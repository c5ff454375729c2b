package dev.tollgate.policy.args;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every matcher reads every value without throwing: model text is arbitrary, and an exception would turn a
 * decision into an internal error. The generators lean on the characters each parser cares about.
 */
class MatchersNeverThrowPropertiesTest {
  private static final MatchContext CTX = MatchContext.system();
  private static final List<ArgumentMatcher.Compiled> ALL = List.of(
      new ArgumentMatcher.PathUnder(List.of("${user.dir}/workspace", "/etc"), true).compile(CTX),
      new ArgumentMatcher.UrlHostIn(List.of("metadata", "private", "loopback", "link_local", "10.0.0.0/8",
          "fd00::/8", "*.internal")).compile(CTX),
      new ArgumentMatcher.CommandPrefix(List.of("rm", "git push")).compile(CTX),
      new ArgumentMatcher.Bound(new BigDecimal("1000"), false).compile(CTX),
      new ArgumentMatcher.Regex("(?i).*secret.*").compile(CTX),
      new ArgumentMatcher.TextGlob("*x*").compile(CTX));

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("/\\.~$%@:[]()`'\";&|<>#{}!*?=- \n\t0123456789xabcfhtpsmr\u0000\u00e9\uff11")
            .ofMaxLength(60),
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.strings().withChars("0123456789.xX:abcdef[]%@").ofMaxLength(40).map(s -> "http://" + s + "/"),
        Arbitraries.strings().withChars("0123456789.eE+- ,_").ofMaxLength(30));
  }

  @Property(tries = 3000)
  void everyMatcherReadsEveryStringForAllowAndDenyRules(@ForAll("hostile") String value) {
    for (ArgumentMatcher.Compiled m : ALL) {
      assertNotNull(m.read(ArgumentValue.string(value), true).result());
      assertNotNull(m.read(ArgumentValue.string(value), false).result());
    }
  }

  @Property(tries = 1000)
  void argvArraysToo(@ForAll("hostile") String a, @ForAll("hostile") String b) {
    ArgumentValue argv = new ArgumentValue(ArgumentValue.Kind.ARRAY, "[]", List.of(a, b));
    for (ArgumentMatcher.Compiled m : ALL) {
      assertNotNull(m.read(argv, true).result());
    }
  }
}
