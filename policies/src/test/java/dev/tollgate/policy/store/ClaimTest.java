package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** A claim's key names one instance: two instances never share it, whatever the app or the model puts in a value. */
class ClaimTest {

  @Test
  void aLoopGuardDetailNeverPassesForAnotherSession() {
    Claim identical = Claim.count("loops", "session", "x", null, "=d\u001f", null, false, 1, -1, true, -1);
    Claim calls = Claim.count("loops", "session", "x\u001f=d", null, null, null, false, 1, -1, true, -1);
    assertNotEquals(shown(identical.key()), shown(calls.key()));
  }

  @Property
  void claimsThatShareAKeyAreOneInstance(@ForAll("claims") List<Claim> claims) {
    Map<String, Claim> byKey = new HashMap<>();
    for (Claim c : claims) {
      Claim first = byKey.putIfAbsent(c.key(), c);
      if (first != null) {
        assertEquals(identity(first), identity(c), "two instances share the key " + shown(c.key()));
      }
    }
  }

  @Property
  void aKeyReadsBackAsTheInstanceItNames(@ForAll("claim") Claim c) {
    assertEquals(identity(c), identity(Claim.fromKey(c.key())));
    assertNull(Claim.fromKey(c.key() + "\u001fh"), "a hold set is no instance");
    assertNull(Claim.fromKey(c.key() + "\u001fa"), "an amounts hash is no instance");
  }

  /** Status reads keys back and reset writes them again: only text that key() writes may read as an instance. */
  @Property
  void onlyWhatKeyWritesReadsBack(@ForAll("keyLike") String text) {
    Claim c = Claim.fromKey(text);
    if (c != null) {
      assertEquals(shown(text), shown(c.key()));
    }
  }

  @Test
  void keysWithoutTheTwoControlCharactersAreWrittenAsBefore() {
    assertEquals("c\u001floops\u001fsession\u001fs-1\u001f=tenant-a\u001f=json:{}",
        Claim.count("loops", "session", "s-1", "tenant-a", "=json:{}", null, false, 1, -1, true, -1).key());
    assertEquals("b\u001fdaily\u001fday\u001f2026-12-04\u001f\u001f", Claim.budget("daily", "day", "2026-12-04",
        null, null, false, true, 0, 0, -1, -1, true, null, null, -1).key());
  }

  @Provide
  Arbitrary<Claim> claim() {
    return anyClaim();
  }

  /** Six fields apart by U+001F over the escape's letters, some well formed, most not. */
  @Provide
  Arbitrary<String> keyLike() {
    Arbitrary<String> field = Arbitraries.strings().withChars('\u001e', '=', 'r', 'u', 'e', 'a').ofMaxLength(4);
    return Combinators.combine(Arbitraries.of("b", "c", "x", ""), field.list().ofMinSize(4).ofMaxSize(6))
        .as((kind, fields) -> kind + "\u001f" + String.join("\u001f", fields));
  }

  /** Values over the characters that matter to the key: its separator, its escape, the partition's mark. */
  @Provide
  Arbitrary<List<Claim>> claims() {
    return anyClaim().list().ofMaxSize(60);
  }

  static Arbitrary<Claim> anyClaim() {
    Arbitrary<String> value = Arbitraries.strings().withChars('\u001f', '\u001e', '=', '#', 'a').ofMaxLength(4);
    return Combinators.combine(Arbitraries.of(Claim.Kind.values()), Arbitraries.of("n", "n\u001f", "\u001e"),
        Arbitraries.of("session", "day", "\u001f"), value, value.injectNull(0.3), value.injectNull(0.3))
        .as((kind, name, scope, period, partition, detail) -> kind == Claim.Kind.BUDGET
            ? new Claim(kind, name, scope, period, partition, detail, null, false, false, 0, 0, -1, -1, -1, -1, true,
                null, null, -1)
            : Claim.count(name, scope, period, partition, detail, null, false, 1, -1, true, -1));
  }

  /** What tells instances apart, control characters made visible ({@code null} and {@code ""} stay apart too). */
  static List<String> identity(Claim c) {
    return Arrays.asList(c.kind().name(), shown(c.name()), shown(c.scope()), shown(c.period()), shown(c.partition()),
        shown(c.detail()));
  }

  /** A key or value with its control characters made visible, for messages. */
  static String shown(String key) {
    return key == null ? null : key.replace("\u001f", "<US>").replace("\u001e", "<RS>");
  }
}
