package dev.tollgate.agent.guard;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link PolicyWatcher} compares of the policy's files: their stamps (premain takes them before it reads the
 * policy) and their digests. JDK and {@code dev.tollgate.policy} only: premain reads the stamps while the bootstrap
 * classes are still being defined, so nothing here may refer to them (see {@code AgentStartup.Entry}).
 */
public final class PolicyFiles {
  private PolicyFiles() {}

  /**
   * The watched files' modification times and sizes, and a governance file's permissions, as
   * {@link PolicyWatcher#check} compares them (a stat each; no read, no digest: premain takes these before it reads
   * the policy, on the app's critical path).
   */
  public static Map<Path, String> stamps(Path policyFile, Path governanceDir) {
    return eachFile(policyFile, governanceDir, false);
  }

  /** Each watched file's content digest ("" when it cannot be read: a missing file is a change too). */
  static Map<Path, String> digests(Path policyFile, Path governanceDir) {
    return eachFile(policyFile, governanceDir, true);
  }

  /**
   * The policy file and the governance directory's policy files (sorted), each with its stamp ({@code digests}
   * false) or its content digest ({@code digests} true), a governance file's permissions after either; the directory
   * itself with "" when it cannot be listed.
   */
  private static Map<Path, String> eachFile(Path policyFile, Path governanceDir, boolean digests) {
    Map<Path, String> out = new LinkedHashMap<>();
    out.put(policyFile, digests ? digest(policyFile) : stamp(policyFile));
    if (governanceDir != null) {
      List<Path> files = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(governanceDir)) {
        entries.forEach(files::add);
      } catch (IOException | RuntimeException e) {
        out.put(governanceDir, "");
      }
      files.sort(null);
      for (Path f : files) {
        if (dev.tollgate.policy.GovernanceLoader.isPolicyFile(f)) {
          out.put(f, (digests ? digest(f) : stamp(f)) + " " + permissions(f));
        }
      }
    }
    return out;
  }

  private static String stamp(Path f) {
    try {
      java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f,
          java.nio.file.attribute.BasicFileAttributes.class);
      return a.lastModifiedTime().toMillis() + " " + a.size();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String permissions(Path f) {
    try {
      return Files.getPosixFilePermissions(f) + " " + Files.getOwner(f).getName();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String digest(Path f) {
    try {
      if (!Files.isRegularFile(f) || Files.size(f) > dev.tollgate.policy.PolicyLoader.MAX_BYTES) {
        return Files.exists(f) ? "size:" + Files.size(f) : "";
      }
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
      return Arrays.toString(hash);
    } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
      return "";
    }
  }
}
