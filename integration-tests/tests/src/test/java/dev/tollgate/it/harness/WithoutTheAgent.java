package dev.tollgate.it.harness;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A control scenario: the same app run without the agent, which shows the IT can fail (the overspend, the tool that
 * runs). It proves the app and the simulator, not the agent, so {@code .ci/run}'s second JDK pass
 * ({@code -Dit.second.jdk=true}) leaves it out; the first pass and the README's {@code mvn -B verify} run it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Tag(WithoutTheAgent.TAG)
public @interface WithoutTheAgent {

    String TAG = "without-agent";
}
