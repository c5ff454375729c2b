package dev.tollgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Forks a JVM: {@code java [-javaagent:<jar>=<args>]... [jvm args] -cp <app> <main> <args>} or
 * {@code java [jvm args] -jar <jar> <args>}. Uses the {@code java} of the JVM running the test unless
 * {@code -Dit.java.home=...} names another. The inherited environment is stripped of {@code TOLLGATE_*} so a
 * developer's shell cannot change a test's outcome. Output is captured fully (to files, so a chatty child can
 * never block on a full pipe); the child is destroyed after {@value #TIMEOUT_SECONDS} s.
 */
public final class ForkedApp {

    public static final long TIMEOUT_SECONDS = 120;

    private final String classpath;
    private final String mainClass;
    private final Path executableJar;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    /** {@code -javaagent:} options, in the order they were added (the JVM runs their premains in that order). */
    private final List<String> javaagents = new ArrayList<>();
    private Path workDir;
    private Path javaHome;

    private ForkedApp(String classpath, String mainClass, Path executableJar) {
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.executableJar = executableJar;
    }

    /** The app as it is meant to be run: {@code -cp <jar>:<dependencies> <main>}, or {@code -jar} for an executable jar. */
    public static ForkedApp of(AppModule app) {
        return app.isExecutableJar() ? jar(app.jar()) : new ForkedApp(app.classpath(), app.mainClass(), null);
    }

    /** {@code java -jar <jar>}: the agent's own command line, or an executable app jar. */
    public static ForkedApp jar(Path jar) {
        return new ForkedApp(null, null, jar);
    }

    /**
     * Attaches an agent: {@code -javaagent:<jar>=<agentArgs>} (no {@code =} part when agentArgs is empty), after any
     * attached before, e.g. {@code .agent(OtelAgentJar.path(), "").agent(tollgate, policy, log)}.
     */
    public ForkedApp agent(Path agentJar, String agentArgs) {
        javaagents.add("-javaagent:" + agentJar + (agentArgs == null || agentArgs.isEmpty() ? "" : "=" + agentArgs));
        return this;
    }

    /** Attaches the agent with {@code policy=<policy>,log=<log>}. */
    public ForkedApp agent(Path agentJar, Path policy, Path log) {
        return agent(agentJar, "policy=" + policy.toAbsolutePath() + ",log=" + log.toAbsolutePath());
    }

    public ForkedApp jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    public ForkedApp args(String... values) {
        args.addAll(List.of(values));
        return this;
    }

    public ForkedApp env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Forks with the {@code java} of {@code home} (an app that needs a newer Java than the tests run on). */
    public ForkedApp javaHome(Path home) {
        this.javaHome = home;
        return this;
    }

    public ForkedApp workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(javaHome != null ? javaHome.resolve("bin").resolve("java").toString() : javaExecutable());
        command.addAll(javaagents);
        // every policy the agent or its CLI reads with the plain YAML reader is read by the YAML library too, and a
        // difference stops the JVM (see PolicyLoader)
        command.add("-Dtollgate.policy.cross-check=true");
        // every class woven from the weave cache (an earlier JVM's outcome) is woven by ByteBuddy too, and a
        // difference is a counted suppressed error (see CachingWeaver); a test may set it false after this
        command.add("-Dtollgate.weave.cross-check=true");
        command.addAll(jvmArgs);
        if (executableJar != null) {
            command.add("-jar");
            command.add(executableJar.toString());
        } else {
            command.add("-cp");
            command.add(classpath);
            command.add(mainClass);
        }
        command.addAll(args);
        return command;
    }

    public Result run() {
        List<String> command = command();
        try {
            Path out = Files.createTempFile("forked-app", ".out");
            Path err = Files.createTempFile("forked-app", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                if (workDir != null) {
                    builder.directory(workDir.toFile());
                }
                builder.environment().keySet().removeIf(name -> name.startsWith("TOLLGATE_"));
                builder.environment().putAll(env);
                Process process = builder.start();
                boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (!exited) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                return new Result(command, exited ? process.exitValue() : -1, !exited,
                        Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /**
     * Starts the JVM without waiting: for tests that kill it mid-run. Output goes to files in {@code outputDir}
     * ({@code stdout.txt}, {@code stderr.txt}).
     */
    public Running start(Path outputDir) {
        List<String> command = command();
        try {
            Files.createDirectories(outputDir);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(outputDir.resolve("stdout.txt").toFile())
                    .redirectError(outputDir.resolve("stderr.txt").toFile());
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            builder.environment().keySet().removeIf(name -> name.startsWith("TOLLGATE_"));
            builder.environment().putAll(env);
            return new Running(command, builder.start(), outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** A forked JVM still running. */
    public record Running(List<String> command, Process process, Path outputDir) {

        /** {@code kill -9}: the JVM gets no chance to run shutdown hooks or flush anything. */
        public void killHard() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the forked JVM did not die: " + command);
            }
        }

        public String stdout() throws IOException {
            return Files.readString(outputDir.resolve("stdout.txt"), StandardCharsets.UTF_8);
        }

        public String stderr() throws IOException {
            return Files.readString(outputDir.resolve("stderr.txt"), StandardCharsets.UTF_8);
        }
    }

    private static String javaExecutable() {
        String home = System.getProperty("it.java.home", System.getProperty("java.home"));
        String exe = System.getProperty("os.name").toLowerCase().contains("win") ? "java.exe" : "java";
        return Path.of(home, "bin", exe).toString();
    }

    /** What the forked JVM did. {@code toString()} is meant for assertion messages. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr) {

        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        public List<String> stderrLines() {
            return stderr.lines().toList();
        }

        /** How many stdout lines equal {@code line} or start with it followed by a space. */
        public long countStdout(String linePrefix) {
            return stdout.lines().filter(l -> l.equals(linePrefix) || l.startsWith(linePrefix + " ")).count();
        }

        public long countStderrMatching(Pattern pattern) {
            return stderr.lines().filter(l -> pattern.matcher(l).find()).count();
        }

        @Override
        public String toString() {
            return "exit " + (timedOut ? "TIMEOUT" : exitCode) + " of " + String.join(" ", command)
                    + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }
}
