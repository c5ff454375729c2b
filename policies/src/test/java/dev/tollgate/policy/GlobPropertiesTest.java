package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written matcher against a regex reference on random short globs and names. */
class GlobPropertiesTest {

  /** Reference: a regex built from the glob (fine in tests; the engine never uses regex on tool names). */
  private static boolean reference(String glob, String name) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(name).matches();
  }

  @Provide
  Arbitrary<String> globs() {
    return Arbitraries.strings().withChars("ab*?.").ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings().withChars("ab.*?").ofMaxLength(10);
  }

  @Property(tries = 3000)
  void agreesWithRegexReference(@ForAll("globs") String glob, @ForAll("names") String name) {
    assertEquals(reference(glob, name), Glob.of(glob).matches(name), () -> glob + " vs " + name);
  }

  @Property(tries = 500)
  void agreesWithRegexReferenceOnPrintableAscii(
      @ForAll("printableGlobs") String glob, @ForAll("printableNames") String name) {
    assertEquals(reference(glob, name), Glob.of(glob).matches(name), () -> glob + " vs " + name);
  }

  @Provide
  Arbitrary<String> printableGlobs() {
    return Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(6);
  }

  @Provide
  Arbitrary<String> printableNames() {
    return Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8);
  }
}
