package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PolicyNumber} against {@link BigDecimal}, the reference it replaces while a policy is read. */
class PolicyNumberTest {

  /** Texts near the grammar: signs, points, ASCII and other scripts' digits, exponents, and noise. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> sign = Arbitraries.of("", "", "", "-", "+");
    Arbitrary<String> digits = Arbitraries.strings().withChars("0123456789").ofMaxLength(21);
    Arbitrary<String> point = Arbitraries.of("", ".", ".", "..");
    Arbitrary<String> tail = Arbitraries.of("", "", "", "", "e3", "E-2", "e+19", "e", "x", " ", "_0", "\u0665",
        "e2147483648");
    Arbitrary<String> near = Combinators.combine(sign, digits, point, digits, tail)
        .as((s, a, p, b, t) -> s + a + p + b + t);
    Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789.-+eE \u0661").ofMaxLength(8);
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, near), net.jqwik.api.Tuple.of(1, noise));
  }

  private static BigDecimal reference(String text) {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Property(tries = 5000)
  void readsWhatBigDecimalReadsWithItsValue(@ForAll("texts") String text) {
    BigDecimal expected = reference(text);
    PolicyNumber n = PolicyNumber.parse(text);
    if (expected == null) {
      assertNull(n, text);
      return;
    }
    assertNotNull(n, text);
    assertEquals(expected.signum(), n.signum(), text);
    assertEquals(0, expected.compareTo(n.toBigDecimal()), text);
    assertEquals(expected.scale(), n.toBigDecimal().scale(), text);
    assertEquals(Double.doubleToLongBits(expected.doubleValue()), Double.doubleToLongBits(n.doubleValue()), text);
    if (Math.abs((long) expected.scale()) > PolicyNumber.MAX_PLAIN_SCALE) {
      // an exponent near 2^31 ("5e2147483648" has scale -2147483648 on JDK 25): written out it has billions of digits
      // (JDK 25's toPlainString throws, JDK 17's runs out of memory), so the exponent stays
      assertEquals(expected.toString(), n.toPlainString(), text);
      long exponent = (long) expected.precision() - expected.scale() - 1;
      if (expected.signum() == 0 || exponent < 0) {
        assertEquals(0, n.billionthsDown(), text);
      } else {
        assertThrows(ArithmeticException.class, n::billionthsDown, text);
      }
      return;
    }
    assertEquals(expected.toPlainString(), n.toPlainString(), text);
    Long billionths;
    try {
      billionths = expected.movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      billionths = null;
    }
    if (billionths == null) {
      assertThrows(ArithmeticException.class, n::billionthsDown, text);
    } else {
      assertEquals(billionths, n.billionthsDown(), text);
    }
  }

  @Property(tries = 5000)
  void comparesAsBigDecimalCompares(@ForAll("texts") String a, @ForAll("texts") String b) {
    BigDecimal x = reference(a);
    BigDecimal y = reference(b);
    if (x == null || y == null) {
      return;
    }
    assertEquals(Integer.signum(x.compareTo(y)), Integer.signum(PolicyNumber.parse(a).compareTo(PolicyNumber.parse(b))),
        a + " vs " + b);
  }

  @Test
  void edgesOfTheLongForm() {
    assertEquals("999999999999999999", PolicyNumber.parse("999999999999999999").toPlainString());
    assertEquals("0.000000000000000001", PolicyNumber.parse(".000000000000000001").toPlainString());
    assertEquals("0.0", PolicyNumber.parse("-0.0").toPlainString());
    assertEquals(1, PolicyNumber.parse("0.5000000000000000001").compareTo(PolicyNumber.parse("0.5")));
    assertEquals(-1, PolicyNumber.parse("-999999999999999999").compareTo(PolicyNumber.parse("0.999999999999999999")));
    assertEquals(1, PolicyNumber.parse("1.5").billionthsDown() / 1_000_000_000L);
    assertEquals(-1_999_999_999L, PolicyNumber.parse("-1.9999999999").billionthsDown());
    assertThrows(ArithmeticException.class, () -> PolicyNumber.parse("999999999999999999").billionthsDown());
    assertNull(PolicyNumber.parse("+-1"));
    assertNull(PolicyNumber.parse("."));
    assertNull(PolicyNumber.parse(""));
  }

  /**
   * A policy that writes an amount with an exponent near 2^31 gets its error at once: BigDecimal would build a number
   * of two billion digits to truncate it or write it out.
   */
  @Test
  void hugeExponentsAreAnsweredAtOnce() {
    assertEquals(0, PolicyNumber.parse("1e-2000000000").billionthsDown());
    assertEquals("1E-2000000000", PolicyNumber.parse("1e-2000000000").toPlainString());
    assertThrows(ArithmeticException.class, () -> PolicyNumber.parse("1e2000000000").billionthsDown());
    assertEquals(1_500_000_000L, PolicyNumber.parse("15e-1").billionthsDown());
    assertEquals(1L, PolicyNumber.parse("1e-9").billionthsDown());
    assertEquals(0L, PolicyNumber.parse("9e-10").billionthsDown());
  }

  /**
   * Through the loader: a JSON policy's {@code max_usd} of 1e-2000000000 is a located error (BigDecimal alone threw an
   * unlocated ArithmeticException there, and 1e-20000000 took 21 s).
   */
  @Test
  void aBudgetWithAHugeExponentIsALocatedError() {
    for (String usd : List.of("1e-2000000000", "1e-20000000")) {
      PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse(
          "{\"version\": 1, \"budgets\": [{\"name\": \"b\", \"scope\": \"run\", \"max_usd\": " + usd + "}]}", "p.json"));
      assertEquals(1, e.errors().size(), e::toString);
      assertEquals(1, e.errors().get(0).line(), e::toString);
      assertEquals(true, e.errors().get(0).message().contains("budgets[0].max_usd must be at least 0.000000001"),
          e::toString);
    }
  }

  /**
   * The point of the class: a policy with budgets, warnings and prices is read in a fresh JVM without initialising
   * {@code BigDecimal} (on JDK 25 its class initialisation alone costs ~20 ms of CPU, in premain).
   */
  @Test
  void aPolicyIsReadWithoutInitialisingBigDecimal(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, String.join("\n",
        "version: 1",
        "tools: { default: allow, rules: [ { tool: pay, args: { note: { regex: \"x.*\" } }, decision: deny } ] }",
        "budgets:",
        "  - { name: run, scope: run, max_usd: 0.50, warn_at: [0.5, 0.9] }",
        "  - { name: day, scope: day, max_usd: 1000000 }",
        "pricing:",
        "  unknown_model: block",
        "  models: { m: { input_per_mtok: 2.5, output_per_mtok: 10 } }",
        ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xlog:class+init=info", "-cp",
        System.getProperty("java.class.path"), LoadOnce.class.getName(), policy.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("the policy reader did not end");
    }
    assertEquals(0, p.exitValue(), out);
    assertEquals(true, out.contains("LOADED 2 budgets"), out);
    assertFalse(out.contains("Initializing 'java/math/BigDecimal'"), () -> "BigDecimal was initialised:\n" + out);
  }

  /** Reads one policy file and prints how many budgets it has. */
  static final class LoadOnce {
    public static void main(String[] args) throws IOException, PolicyException {
      Policy p = PolicyLoader.load(Path.of(args[0]));
      System.out.println("LOADED " + p.budgets().size() + " budgets");
    }
  }
}
