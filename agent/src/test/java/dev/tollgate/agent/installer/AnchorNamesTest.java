package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class AnchorNamesTest {
  /** Exact anchors and prefixes (one with a {@code $} inside it), and names near them. */
  private static final List<String> ANCHORS = List.of("a.b.Exact", "a.b.Outer$", "a.b.Outer$Inner$", "c.D$E$",
      "dev.langchain4j.service.DefaultAiServices$");

  @Test
  void exactNamesAndPrefixes() {
    AnchorNames names = new AnchorNames(ANCHORS);
    assertTrue(names.contains("a/b/Exact"));
    assertFalse(names.contains("a/b/Exact$1"));
    assertTrue(names.contains("a/b/Outer$1"));
    assertTrue(names.contains("a/b/Outer$Inner$Deeper"));
    assertFalse(names.contains("a/b/Outer"));
    assertFalse(names.contains("a/b/OuterX$1"));
    assertTrue(names.contains("c/D$E$F"));
    assertFalse(names.contains("c/D$E"));
    assertFalse(names.contains("c/D$F$E$"));
    assertTrue(names.contains("dev/langchain4j/service/DefaultAiServices$1"));
    assertFalse(new AnchorNames(List.of("a.b.Exact")).contains("a/b/Exact$1"));
  }

  /**
   * The look-up by each {@code $} of the name answers as the prefixes one by one do: names built from the anchors' own
   * pieces and cut anywhere, so near misses (a prefix without its {@code $}, a {@code $} one segment off) are drawn.
   */
  @Property(tries = 2000)
  void theLookUpByDollarAnswersAsThePrefixesDo(@ForAll("names") List<String> names) {
    AnchorNames anchors = new AnchorNames(ANCHORS);
    for (String name : names) {
      assertEquals(anchors.containsByPrefixes(name), anchors.contains(name), name);
    }
  }

  @Provide
  Arbitrary<List<String>> names() {
    Arbitrary<String> piece = Arbitraries.of("a", "b", "c", "D", "E", "F", "Exact", "Outer", "Inner", "1", "$", "/",
        "dev/langchain4j/service/DefaultAiServices");
    Arbitrary<String> built = piece.list().ofMinSize(1).ofMaxSize(8).map(parts -> String.join("", parts));
    Arbitrary<String> anchored = Arbitraries.of(ANCHORS).flatMap(a -> built.map(rest -> a.replace('.', '/') + rest));
    Arbitrary<String> cut = anchored.flatMap(n -> Arbitraries.integers().between(0, n.length())
        .map(i -> n.substring(0, i)));
    return Arbitraries.oneOf(built, anchored, cut).list().ofMinSize(1).ofMaxSize(40);
  }
}
