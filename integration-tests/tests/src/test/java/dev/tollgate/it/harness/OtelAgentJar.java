package dev.tollgate.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The OpenTelemetry Java agent that Maven copied to {@code target/otel/opentelemetry-javaagent.jar}
 * ({@code maven-dependency-plugin:copy}, version {@code opentelemetry-javaagent.version} in the tests pom); failsafe
 * passes its path as {@code it.otel.agent.jar}.
 */
public final class OtelAgentJar {

    private OtelAgentJar() {
    }

    public static Path path() {
        String property = System.getProperty("it.otel.agent.jar");
        Path jar = (property != null && !property.isBlank() ? Path.of(property)
                : ItPaths.moduleDir().resolve("target/otel/opentelemetry-javaagent.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("OpenTelemetry agent jar not found at " + jar
                    + " -- run the tests module's build (mvn verify -pl integration-tests/tests), which copies it there");
        }
        return jar;
    }
}
