package dev.tollgate.policy.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A model-chosen name as the enforcement log records it: as is up to {@link #MAX_LOGGED} characters, else its
 * first {@link #KEPT} characters and the SHA-256 of the whole, so that one call cannot make a log line huge and
 * two long names still tell apart.
 */
public final class LoggedName {
  public static final int MAX_LOGGED = 256;
  static final int KEPT = 128;

  private LoggedName() {}

  public static String of(String name) {
    if (name == null || name.length() <= MAX_LOGGED) {
      return name;
    }
    int end = Character.isHighSurrogate(name.charAt(KEPT - 1)) ? KEPT - 1 : KEPT;
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(64);
      for (byte b : hash) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return name.substring(0, end) + "...(" + name.length() + " chars, sha256:" + hex + ")";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
