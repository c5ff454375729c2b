package dev.tollgate.policy.budget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;

/**
 * The secret that authenticates a {@link FileLedger}'s records (HMAC-SHA256). From the environment variable
 * {@value #ENV} (64 or more hex digits) when set, else from a key file ({@code ledger.key_file}, by default
 * {@code ledger.key} in the ledger directory): 64 hex digits, generated with {@link SecureRandom} and written 0600
 * on first use, refused when others may read it or when it is a symbolic link. A key file next to the ledger
 * detects corruption and edits by anyone who cannot read it; against a tool that can read the directory, keep the
 * key elsewhere ({@value #ENV} or a {@code key_file} outside the tool's reach). The key never appears in messages.
 */
public final class LedgerKey {
  public static final String ENV = "TOLLGATE_LEDGER_KEY";
  static final String DEFAULT_FILE = "ledger.key";
  private static final int BYTES = 32;
  /** SHA-256's block: HMAC pads the key to it (RFC 2104). */
  private static final int BLOCK = 64;

  /** The key XOR ipad and XOR opad, one block each. */
  private final byte[] innerPad = new byte[BLOCK];
  private final byte[] outerPad = new byte[BLOCK];

  /**
   * HMAC-SHA256 (RFC 2104) over the JDK's SHA-256 rather than {@code javax.crypto.Mac}: the first {@code Mac} of a
   * JVM loads the JCE framework and every security provider ahead of SunJCE (25 ms of CPU at start-up, on the
   * thread that opens the ledger beside the app's {@code main}); SHA-256 comes from the first provider, which the
   * weave cache has loaded already. {@code LedgerKeyTest} checks the codes against {@code Mac}'s.
   */
  private LedgerKey(byte[] bytes) {
    byte[] k = bytes.length > BLOCK ? sha256().digest(bytes) : bytes;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i < k.length ? k[i] : 0;
      innerPad[i] = (byte) (b ^ 0x36);
      outerPad[i] = (byte) (b ^ 0x5c);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** A key from raw bytes (tests). */
  static LedgerKey of(byte[] bytes) {
    return new LedgerKey(bytes.clone());
  }

  /**
   * The key for the ledger in {@code dir}: {@value #ENV} if set, else {@code keyFile} (null: {@code dir/ledger.key}),
   * generated when missing.
   */
  /**
   * The key of the store whose ledger directory is {@code dir} (made 0700 when missing), from {@value #ENV}, the key
   * file, or {@code ledger.key} in {@code dir}: what the audit journal of a Redis store is authenticated with, so
   * every JVM of a fleet and its operators must be given the same one (the environment variable or a shared file).
   */
  public static LedgerKey forStore(Path dir, Path keyFile) throws IOException {
    LedgerFiles.prepareDirectory(dir);
    return resolve(dir, keyFile, System::getenv);
  }

  public static LedgerKey resolve(Path dir, Path keyFile, Function<String, String> env) throws IOException {
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      byte[] bytes = hex(fromEnv.strip());
      if (bytes == null || bytes.length < BYTES) {
        throw new IOException(ENV + " must hold at least " + 2 * BYTES + " hex digits (a " + 8 * BYTES
            + "-bit key); generate one with: openssl rand -hex 32");
      }
      return new LedgerKey(bytes);
    }
    Path file = keyFile != null ? keyFile : dir.resolve(DEFAULT_FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        return generate(file);
      } catch (FileAlreadyExistsException e) {
        // another JVM generated it first: read theirs
      }
    }
    return read(file);
  }

  private static LedgerKey generate(Path file) throws IOException {
    byte[] bytes = new byte[BYTES];
    new SecureRandom().nextBytes(bytes);
    try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), LedgerFiles.ownerOnly(file))) {
      ByteBuffer text = ByteBuffer.wrap((HexFormat.of().formatHex(bytes) + "\n").getBytes(StandardCharsets.US_ASCII));
      while (text.hasRemaining()) {
        out.write(text);
      }
      out.force(true);
    }
    return new LedgerKey(bytes);
  }

  private static LedgerKey read(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException("the ledger key file " + file.toAbsolutePath() + " is a symbolic link; Tollgate does not "
          + "follow links there");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the ledger key file " + file.toAbsolutePath() + " is not a regular file");
    }
    Set<PosixFilePermission> perms = LedgerFiles.permissions(file);
    if (perms != null && (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE))) {
      throw new IOException("the ledger key file " + file.toAbsolutePath() + " may be read or written by others; "
          + "run chmod 600 on it");
    }
    byte[] content = LedgerFiles.read(file, 1024);
    byte[] bytes = hex(new String(content, StandardCharsets.US_ASCII).strip());
    if (bytes == null || bytes.length < BYTES) {
      throw new IOException("the ledger key file " + file.toAbsolutePath() + " must hold at least " + 2 * BYTES
          + " hex digits");
    }
    return new LedgerKey(bytes);
  }

  private static byte[] hex(String text) {
    if (text.length() % 2 != 0) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The authentication code of {@code data}: the first 128 bits of its HMAC-SHA256, as 32 hex digits. */
  public String code(String data) {
    MessageDigest sha = sha256();
    sha.update(innerPad);
    byte[] inner = sha.digest(data.getBytes(StandardCharsets.UTF_8));
    sha.update(outerPad);
    byte[] full = sha.digest(inner);
    return HexFormat.of().formatHex(full, 0, 16);
  }

  /** Compares codes in constant time. */
  public boolean verify(String data, String code) {
    return MessageDigest.isEqual(code(data).getBytes(StandardCharsets.US_ASCII),
        code.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "LedgerKey[redacted]";
  }
}
