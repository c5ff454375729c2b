package dev.tollgate.policy.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonBytes} writes the bytes Jackson's UTF-8 generator writes with its defaults (the generator the log used
 * before), for any value an event can hold: the log's lines do not change, and its readers (Jackson) read them back.
 */
class JsonBytesTest {
  private static final JsonFactory JACKSON = new JsonFactory();

  /** What Jackson's UTF-8 generator writes for {@code value} (nulls in a {@link Written} left out, as the log did). */
  private static byte[] jackson(Object value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JACKSON.createGenerator(out, JsonEncoding.UTF8)) {
      JsonLine.writeValue(g, value);
    }
    return out.toByteArray();
  }

  private static byte[] ours(Object value) {
    JsonBytes b = new JsonBytes(1);
    b.value(value);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      b.writeTo(out);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** Any UTF-16 text: controls, quotes, backslashes, 2- and 3-byte characters, paired and lone surrogates. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<Character> chars = Arbitraries.oneOf(
        Arbitraries.chars().range('\u0000', '\u007f'),
        Arbitraries.chars().range('\u0080', '\u07ff'),
        Arbitraries.chars().range('\u0800', '\ud7ff'),
        Arbitraries.chars().range('\ud800', '\udfff'),
        Arbitraries.chars().range('\ue000', '\uffff'),
        Arbitraries.of('"', '\\', '\n', '\r', '\t', '\b', '\f', '/', '\u2028'));
    Arbitrary<String> withPairs = Arbitraries.strings().withCharRange('a', 'c').ofMaxLength(3)
        .map(s -> s + new String(Character.toChars(0x1F600 + s.length())) + s);
    return Arbitraries.oneOf(chars.list().ofMaxSize(24).map(JsonBytesTest::join), withPairs);
  }

  private static String join(List<Character> cs) {
    StringBuilder b = new StringBuilder();
    cs.forEach(b::append);
    return b.toString();
  }

  @Provide
  Arbitrary<Object> values() {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        texts().map(s -> (Object) s),
        texts().list().ofMinSize(20).ofMaxSize(120).map(l -> (Object) String.join("", l)), // past a 512-char chunk
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-4, 1e7, 4.9e-324,
            0.1 + 0.2, Double.MAX_VALUE).map(d -> (Object) d),
        Arbitraries.longs().map(n -> (Object) Usd.of(n)),
        Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b),
        Arbitraries.of((short) 7, 2.5f, new java.math.BigDecimal("0.000123")).map(n -> (Object) n));
    // nested up to two levels: lists, maps (null values written) and objects (null fields left out)
    return Arbitraries.recursive(() -> scalar, inner -> Arbitraries.oneOf(
        scalar,
        inner.list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l)),
        Arbitraries.maps(texts(), inner.injectNull(0.2)).ofMaxSize(3).map(m -> (Object) new LinkedHashMap<>(m)),
        Arbitraries.maps(texts(), inner.injectNull(0.3)).ofMaxSize(3).map(JsonBytesTest::written)), 0, 2);
  }

  private static Object written(Map<String, Object> fields) {
    Map<String, Object> copy = new LinkedHashMap<>(fields);
    return (Written) out -> copy.forEach(out::put);
  }

  @Property(tries = 2000)
  void writesWhatJacksonsUtf8GeneratorWrites(@ForAll("values") Object value) throws IOException {
    assertArrayEquals(jackson(value), ours(value), () -> "for " + value + ": jackson "
        + new String(jacksonQuietly(value), StandardCharsets.UTF_8) + " ours " + new String(ours(value),
        StandardCharsets.UTF_8));
  }

  @Property(tries = 1000)
  void readsBackAsTheSameText(@ForAll("texts") String text) throws IOException {
    String line = JsonLine.write(out -> out.put("v", text));
    assertEquals(text, JsonLine.parse(line).get("v"));
  }

  private static byte[] jacksonQuietly(Object value) {
    try {
      return jackson(value);
    } catch (IOException e) {
      return e.toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  @Test
  void escapesAndMultiByteCharactersAtTheChunkBoundaries() throws IOException {
    for (String odd : List.of("\"", "\n", "\u00e9", "\u20ac", "\ud83d\ude00", "\u0001")) {
      for (int at = 505; at <= 1030; at++) {
        String s = "a".repeat(at) + odd + "b".repeat(600);
        assertArrayEquals(jackson(s), ours(s), () -> odd + " at " + s.indexOf(odd));
      }
    }
  }

  @Test
  void fieldsLeaveOutNullsAndSeparateTheRest() {
    JsonBytes b = new JsonBytes(4);
    Fields f = b.startObject();
    f.put("a", null).put("b", 1).put("c", null).put("d", List.of("x", 2L)).put("e", (Written) o -> o.put("f", true));
    b.endObject().raw('\n');
    assertEquals("{\"b\":1,\"d\":[\"x\",2],\"e\":{\"f\":true}}\n", b.toString());
  }

  @Test
  void truncateDropsAHalfWrittenLine() {
    JsonBytes b = new JsonBytes(4);
    b.object(o -> o.put("a", 1)).raw('\n');
    int mark = b.size();
    b.startObject().put("half", "way");
    b.truncate(mark);
    assertEquals("{\"a\":1}\n", b.toString());
    assertThrows(IllegalArgumentException.class, () -> b.truncate(b.size() + 1));
  }
}
