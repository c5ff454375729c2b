package dev.tollgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * The built agent jar: {@code agent/target/tollgate-agent.jar}, or {@code -Dtollgate.agent.jar=...}.
 */
public final class AgentJar {

    public static final String OVERRIDE_PROPERTY = "tollgate.agent.jar";

    private AgentJar() {
    }

    /** The absolute path of the agent jar; fails with a build hint if it is not there. */
    public static Path path() {
        String override = System.getProperty(OVERRIDE_PROPERTY);
        Path jar = (override != null && !override.isBlank()
                ? Path.of(override)
                : ItPaths.repositoryRoot().resolve("agent/target/tollgate-agent.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Tollgate agent jar not found at " + jar
                    + " -- build it first (mvn -B -pl agent -am package -DskipTests) or point -D"
                    + OVERRIDE_PROPERTY + "=... at one");
        }
        return jar;
    }

    /** The agent jar, failing the test when it is not a real agent (no Premain-Class inside it). */
    public static Path requireImplemented() {
        Path jar = path();
        if (!hasPremainClass(jar)) {
            throw new IllegalStateException(jar + " has no Premain-Class implementation");
        }
        return jar;
    }

    private static boolean hasPremainClass(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String premain = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue("Premain-Class");
            return premain != null && file.getEntry(premain.replace('.', '/') + ".class") != null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }
}
