package dev.tollgate.it.harness;

import java.nio.file.Path;

/** Where things are in the checkout, seen from the tests module. */
public final class ItPaths {

    private ItPaths() {
    }

    /** {@code integration-tests/tests}: failsafe passes it as {@code it.module.dir}; an IDE run uses the working directory. */
    public static Path moduleDir() {
        String dir = System.getProperty("it.module.dir", System.getProperty("basedir", System.getProperty("user.dir")));
        return Path.of(dir).toAbsolutePath().normalize();
    }

    public static Path repositoryRoot() {
        return moduleDir().resolve("../..").normalize();
    }
}
