package dev.tollgate.policy.args;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a path is resolved against: the app's working directory, the user's home, the environment (for
 * {@code ${env:NAME}} in roots) and whether the file system folds case.
 */
public record MatchContext(FileSystem fileSystem, Path workDir, Path home, Function<String, String> env,
    boolean caseInsensitive) {

  /** This JVM's: {@code user.dir}, {@code user.home}, {@link System#getenv}; case folded on Windows and macOS. */
  public static MatchContext system() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    FileSystem fs = FileSystems.getDefault();
    return new MatchContext(fs, fs.getPath(System.getProperty("user.dir", "")).toAbsolutePath(),
        fs.getPath(System.getProperty("user.home", "/")).toAbsolutePath(), SystemEnv.INSTANCE,
        os.startsWith("windows") || os.startsWith("mac"));
  }

  /** {@link System#getenv(String)}: a class, not a method reference, as the policy is read in premain. */
  private static final class SystemEnv implements Function<String, String> {
    static final SystemEnv INSTANCE = new SystemEnv();

    @Override
    public String apply(String name) {
      return System.getenv(name);
    }
  }

  /** The same context with another working directory and home (for tests and {@code explain}). */
  public MatchContext at(Path workDir, Path home) {
    return new MatchContext(fileSystem, workDir, home, env, caseInsensitive);
  }
}
