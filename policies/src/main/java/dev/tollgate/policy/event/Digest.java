package dev.tollgate.policy.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The SHA-256 (lower-case hex) of a text the log must not keep, such as a tool's arguments. Made from the text on the
 * caller's thread and hashed only when the line is written, off that thread; read back from the log as the hex.
 */
public final class Digest {
  /** Mostly the log writer's: one digest per thread, not one looked up per line. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  });
  private static final HexFormat HEX = HexFormat.of();
  private final String text;
  private volatile String hex;

  private Digest(String text, String hex) {
    this.text = text;
    this.hex = hex;
  }

  /** The digest of {@code text}, or null for null text. */
  public static Digest of(String text) {
    return text == null ? null : new Digest(text, null);
  }

  /** A digest read from the log. */
  public static Digest ofHex(String hex) {
    return hex == null ? null : new Digest(null, hex);
  }

  public String hex() {
    String h = hex;
    if (h == null) {
      h = HEX.formatHex(SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
      hex = h;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && d.hex().equals(hex());
  }

  @Override
  public int hashCode() {
    return Objects.hash(hex());
  }

  @Override
  public String toString() {
    return hex();
  }
}
