package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

  /** Values over the characters that matter to the key: its separator, its escape, the partition's mark. */
  @Provide
  Arbitrary<List<Claim>> claims() {
    return claim().list().ofMaxSize(60);
  }

  static Arbitrary<Claim> claim() {
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
