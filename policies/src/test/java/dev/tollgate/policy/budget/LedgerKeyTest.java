package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The ledger's codes are HMAC-SHA256's (computed over SHA-256 without {@code javax.crypto}), truncated to 128 bits. */
class LedgerKeyTest {

  @Test
  void rfc4231TestCase2() {
    // key "Jefe", data "what do ya want for nothing?": HMAC-SHA256 5bdcc146bf60754e6a042426089575c7...
    LedgerKey key = LedgerKey.of("Jefe".getBytes(StandardCharsets.US_ASCII));
    assertEquals("5bdcc146bf60754e6a042426089575c7", key.code("what do ya want for nothing?"));
  }

  @Test
  void rfc4231TestCase6AKeyLongerThanTheBlock() {
    byte[] k = new byte[131];
    java.util.Arrays.fill(k, (byte) 0xaa);
    assertEquals("60e431591ee0b67f0d8a26aacbf5b77f",
        LedgerKey.of(k).code("Test Using Larger Than Block-Size Key - Hash Key First"));
  }

  @Property(tries = 300)
  void codesAreThoseOfTheJdksMac(@ForAll @Size(min = 1, max = 200) byte[] key, @ForAll String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    String expected = HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)), 0, 16);
    LedgerKey ours = LedgerKey.of(key);
    assertEquals(expected, ours.code(data));
    assertTrue(ours.verify(data, expected));
    assertFalse(ours.verify(data + "x", expected));
  }
}
