package dev.tollgate.policy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads a governance directory ({@code governance=DIR}) and merges it with an app's policy so that the app can only
 * tighten: every {@code *.yaml}, {@code *.yml} and {@code *.json} file in DIR, in name order, is a
 * {@link Governance.Layer}.
 *
 * <p>Integrity, as sshd's StrictModes: the directory and each file must be writable by their owner only, and a file
 * owned by the app's own user in a directory owned by another user is refused (the app could have written it). All
 * problems are collected, each naming its file.
 */
public final class GovernanceLoader {
  /** At most this many governance files; an organisation has a few. */
  static final int MAX_FILES = 64;

  private GovernanceLoader() {}

  /** True for a file of a governance directory that is read as a policy: {@code *.yaml}, {@code *.yml}, {@code *.json}, not hidden. */
  public static boolean isPolicyFile(Path file) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json"));
  }

  /** The result of governing an app's policy: the merged policy and the fail mode the organisation sets, if any. */
  public record Governed(Policy policy, String failMode, boolean failModeLocked) {}

  /** Loads DIR: integrity first, then each file strictly. */
  public static Governance load(Path dir) throws PolicyException {
    String dirName = dir.toString();
    List<PolicyError> errors = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new PolicyException(List.of(new PolicyError(dirName, 0, 0, "cannot read the governance directory: "
          + (Files.exists(dir) ? "it is not a directory" : "no such directory"))));
    }
    Long appUid = appUid();
    Integrity dirIntegrity = integrity(dir);
    if (dirIntegrity.problem != null) {
      errors.add(new PolicyError(dirName, 0, 0, "governance directory refused: " + dirIntegrity.problem));
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (isPolicyFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException | SecurityException e) {
      throw new PolicyException(List.of(new PolicyError(dirName, 0, 0,
          "cannot list the governance directory: " + e.getClass().getSimpleName())));
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    if (files.isEmpty()) {
      errors.add(new PolicyError(dirName, 0, 0, "the governance directory has no *.yaml, *.yml or *.json policy "
          + "(an empty directory is refused rather than governing nothing)"));
    }
    if (files.size() > MAX_FILES) {
      errors.add(new PolicyError(dirName, 0, 0, "the governance directory has " + files.size()
          + " policies; at most " + MAX_FILES + " are read"));
    }
    String label = dir.toAbsolutePath().normalize().getFileName() == null ? "governance"
        : dir.toAbsolutePath().normalize().getFileName().toString();
    List<Governance.Layer> layers = new ArrayList<>();
    for (Path file : files) {
      Integrity fi = integrity(file);
      if (fi.problem != null) {
        errors.add(new PolicyError(file.toString(), 0, 0, "governance file refused: " + fi.problem));
        continue;
      }
      if (appUid != null && fi.uid != null && dirIntegrity.uid != null && fi.uid.equals(appUid)
          && !dirIntegrity.uid.equals(appUid)) {
        errors.add(new PolicyError(file.toString(), 0, 0, "governance file refused: it is owned by the app's own user "
            + "(uid " + appUid + ") while its directory is owned by uid " + dirIntegrity.uid
            + "; the organisation's files must be owned by the directory's owner (chown " + dirIntegrity.uid + " "
            + file + ")"));
        continue;
      }
      try {
        Policy p = PolicyLoader.loadGovernance(file);
        layers.add(new Governance.Layer(label + "/" + file.getFileName(), file.toString(), p));
      } catch (PolicyException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new PolicyException(errors);
    }
    return new Governance(dirName, layers);
  }

  /**
   * Merges {@code org} into the app's policy {@code app} (as loaded, before the agent's own overrides).
   *
   * @param configured lockable key ({@code mode}, {@code profile}, {@code fail-mode}) to where the agent's
   *                   configuration sets it (e.g. {@code -Dtollgate.mode}), for the keys it sets
   * @param modeOverride the configured mode, or null; applied to the app's layer when the mode is not locked
   * @param profileOverride the configured profile, or null; applied when the profile is not locked
   */
  public static Governed govern(Policy app, Governance org, Map<String, String> configured, Mode modeOverride,
      String profileOverride) throws PolicyException {
    List<PolicyError> errors = new ArrayList<>();
    // names: an organisation's limits and budgets apply under their own names, so nobody else may use them
    Map<String, String> owners = new LinkedHashMap<>();
    for (Governance.Layer layer : org.layers()) {
      claimNames(layer.policy(), layer.file(), layer.label(), owners, errors);
    }
    claimNames(app, app.source(), app.source(), owners, errors);
    // locks
    Mode lockedMode = null;
    String failMode = null;
    boolean failModeLocked = false;
    for (Governance.Layer layer : org.layers()) {
      Header h = layer.policy().header();
      if (h.failMode() != null && failMode == null) {
        failMode = h.failMode();
      }
      for (String key : h.lock()) {
        String lockedAt = layer.file();
        for (Governance.Layer other : org.layers()) {
          String at = other.policy().header().setAt().get(key);
          if (other != layer && at != null) {
            errors.add(located(other.file(), at, key + " is locked by " + lockedAt + " and cannot be set in "
                + "another governance file"));
          }
        }
        String inApp = app.header().setAt().get(key);
        if (inApp != null) {
          errors.add(located(app.source(), inApp, key + " is locked by the organisation (" + lockedAt
              + "); remove it from this policy"));
        }
        if (configured.containsKey(key)) {
          errors.add(new PolicyError(configured.get(key), 0, 0, key + " is locked by the organisation (" + lockedAt
              + ") and cannot be set by " + configured.get(key)));
        }
        switch (key) {
          case "mode" -> lockedMode = layer.policy().mode();
          case "fail-mode" -> {
            failMode = h.failMode() == null ? "closed" : h.failMode();
            failModeLocked = true;
          }
          default -> { }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new PolicyException(errors);
    }
    Policy governedApp = app;
    if (modeOverride != null && lockedMode == null) {
      governedApp = governedApp.withMode(modeOverride);
    }
    if (profileOverride != null) {
      governedApp = governedApp.withProfile(profileOverride);
    }
    return new Governed(governedApp.governedBy(org, lockedMode), failMode, failModeLocked);
  }

  private static void claimNames(Policy p, String file, String label, Map<String, String> owners,
      List<PolicyError> errors) {
    List<String> names = new ArrayList<>();
    for (Limit l : p.limits()) {
      names.add("limits[" + l.index() + "] " + l.name());
    }
    for (Budget b : p.budgets()) {
      names.add("budgets[" + b.index() + "] " + b.name());
    }
    for (String entry : names) {
      String name = entry.substring(entry.indexOf(' ') + 1);
      String path = entry.substring(0, entry.indexOf(' '));
      String owner = owners.putIfAbsent(name, label + " " + path);
      if (owner != null) {
        errors.add(new PolicyError(file, 0, 0, path + " is named " + PolicyValidator.quote(name) + ", the name of "
            + owner + "; an organisation's limits and budgets apply under their own names, so give this one "
            + "another name"));
      }
    }
  }

  private static PolicyError located(String file, String lineColumn, String message) {
    int colon = lineColumn.indexOf(':');
    return new PolicyError(file, Integer.parseInt(lineColumn.substring(0, colon)),
        Integer.parseInt(lineColumn.substring(colon + 1)), message);
  }

  private record Integrity(Long uid, String problem) {}

  /** Owner uid (null when the file system does not say) and why the path is refused, or a null problem. */
  private static Integrity integrity(Path path) {
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
      if (view == null) {
        return new Integrity(null, null); // not a POSIX file system: nothing to check
      }
      PosixFileAttributes attrs = view.readAttributes();
      Set<PosixFilePermission> perms = attrs.permissions();
      Long uid = null;
      try {
        Object raw = Files.getAttribute(path, "unix:uid");
        uid = raw instanceof Integer i ? Long.valueOf(i) : raw instanceof Long l ? l : null;
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        uid = null;
      }
      List<String> writers = new ArrayList<>();
      if (perms.contains(PosixFilePermission.GROUP_WRITE)) {
        writers.add("its group");
      }
      if (perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        writers.add("everyone");
      }
      if (!writers.isEmpty()) {
        return new Integrity(uid, "it is writable by " + String.join(" and ", writers) + " (mode "
            + PosixFilePermissions.toString(perms) + "); only its owner may write it (chmod go-w " + path + ")");
      }
      return new Integrity(uid, null);
    } catch (IOException | SecurityException e) {
      return new Integrity(null, "cannot read its owner and permissions (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The uid this JVM runs as, or null when it cannot be told (no /proc, not Unix). */
  static Long appUid() {
    try {
      Object raw = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (raw instanceof Integer i) {
        return (long) i;
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
      // not Linux
    }
    try {
      Class<?> unix = Class.forName("com.sun.security.auth.module.UnixSystem");
      Object system = unix.getConstructor().newInstance();
      return (Long) unix.getMethod("getUid").invoke(system);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }
}
