package dev.tollgate.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Strict loading of policy files (YAML or JSON). Every problem is reported with file, line and column;
 * all problems are collected, not just the first.
 *
 * <p>Strictness: unknown keys, duplicate keys, wrong types (a quoted {@code "5"} is a string, not a number),
 * unknown enum values (lowercase only), negative or fractional counts, invalid globs, duplicate limit names,
 * a missing or wrong {@code version}, YAML aliases, and more than one YAML document are all
 * errors. Files over {@link #MAX_BYTES} are refused before parsing. Messages never contain Java class names.
 */
public final class PolicyLoader {
  /** Largest policy file accepted (1 MiB); real policies are a few kilobytes. */
  public static final int MAX_BYTES = 1 << 20;

  private PolicyLoader() {}

  /** Loads a policy file; YAML unless the name ends in {@code .json}. A missing file is an error too. */
  public static Policy load(Path file) throws PolicyException {
    return parse(read(file), file.toString(), false);
  }

  /**
   * Loads one file of a governance directory: {@code lock} and {@code fail_mode} are allowed, the app's own settings
   * ({@code ledger}, {@code log}, ...) are not.
   */
  public static Policy loadGovernance(Path file) throws PolicyException {
    return parse(read(file), file.toString(), true);
  }

  /** The file's text (UTF-8, at most {@link #MAX_BYTES}), or a located error saying why it cannot be read. */
  public static String read(Path file) throws PolicyException {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw unreadable(name, "it is a directory");
      }
      if (!Files.exists(file)) {
        throw unreadable(name, "no such file");
      }
      // a FIFO would block the open and /dev/zero never ends: only regular files are read, and at most the limit
      if (!Files.isRegularFile(file)) {
        throw unreadable(name, "it is not a regular file (a device, FIFO or socket); give the path of a policy file");
      }
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw tooLarge(name, size);
      }
      // a FileInputStream, not Files.newInputStream: premain reads the policy before the app's main, and NIO's
      // channels are classes no JVM has loaded that early (~1.9 ms of premain's thread in async-profiler)
      try (java.io.InputStream in = file.getFileSystem() == java.nio.file.FileSystems.getDefault()
          ? new java.io.FileInputStream(file.toFile()) : Files.newInputStream(file)) {
        bytes = in.readNBytes(MAX_BYTES + 1);
      } catch (java.io.FileNotFoundException e) { // what Files would have said, asked only now that it failed
        if (!Files.exists(file)) {
          throw new NoSuchFileException(name);
        }
        if (!Files.isReadable(file)) {
          throw new AccessDeniedException(name);
        }
        throw e;
      }
    } catch (NoSuchFileException e) {
      throw unreadable(name, "no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(name, "permission denied");
    } catch (IOException | SecurityException e) {
      throw unreadable(name, "I/O error");
    }
    if (bytes.length > MAX_BYTES) {
      throw new PolicyException(List.of(new PolicyError(name, 0, 0, "policy file is too large (it grew past "
          + MAX_BYTES + " bytes while being read); the limit is " + MAX_BYTES + " bytes (1 MiB)")));
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw unreadable(name, "the file is not UTF-8 text");
    }
    return text;
  }

  /** Parses policy text; {@code fileName} names it in errors and selects JSON when it ends in {@code .json}. */
  public static Policy parse(String text, String fileName) throws PolicyException {
    return parse(text, fileName, false);
  }

  /** Parses the text of a governance file ({@link #loadGovernance}). */
  public static Policy parseGovernance(String text, String fileName) throws PolicyException {
    return parse(text, fileName, true);
  }

  private static Policy parse(String text, String fileName, boolean governance) throws PolicyException {
    if (text.length() > MAX_BYTES) {
      throw tooLarge(fileName, text.length());
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    boolean json = fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    Node root = json ? null : PlainYamlReader.read(text); // the YAML library's classes only when needed
    if (root == null) {
      root = LocatedTreeReader.read(text, fileName, json);
    } else if (CROSS_CHECK) {
      Node library = LocatedTreeReader.read(text, fileName, false);
      if (!library.equals(root)) {
        throw new AssertionError("PlainYamlReader and the YAML library disagree on " + fileName + ":\n" + root
            + "\n" + library);
      }
    }
    return governance ? PolicyValidator.validateGovernance(root, fileName) : PolicyValidator.validate(root, fileName);
  }

  /**
   * Set by the test suites ({@code -Dtollgate.policy.cross-check=true}): every document {@link PlainYamlReader} reads
   * is read by the YAML library too, and a difference fails the test that loaded it.
   */
  private static final boolean CROSS_CHECK = Boolean.getBoolean("tollgate.policy.cross-check");

  private static PolicyException unreadable(String file, String why) {
    return new PolicyException(List.of(new PolicyError(file, 0, 0, "cannot read policy file: " + why)));
  }

  private static PolicyException tooLarge(String file, long size) {
    return new PolicyException(List.of(new PolicyError(file, 0, 0,
        "policy file is too large (" + size + " bytes); the limit is " + MAX_BYTES + " bytes (1 MiB)")));
  }
}
