package dev.tollgate.it.harness;

import org.junit.jupiter.api.Assumptions;

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
    /** Set to {@code true} to fail (instead of skip) agent ITs when the jar has no agent implementation yet. */
    public static final String REQUIRE_PROPERTY = "it.require.agent";

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

    /**
     * Skips the calling test when the jar is only the packaging skeleton (its Premain-Class is not inside it),
     * unless {@value #REQUIRE_PROPERTY} is true. A missing jar always fails.
     */
    public static Path requireImplemented() {
        Path jar = path();
        boolean implemented = hasPremainClass(jar);
        if (!implemented && Boolean.getBoolean(REQUIRE_PROPERTY)) {
            throw new IllegalStateException(jar + " has no Premain-Class implementation");
        }
        Assumptions.assumeTrue(implemented, () -> jar + " contains no agent implementation yet (Premain-Class missing)");
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
