package dev.tollgate.it.apps.adk;

import com.google.adk.tools.Annotations.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The app's ADK function tools (public: ADK calls them reflectively; parameter names come from {@code -parameters});
 * they print a marker so a test can count which bodies really ran.
 */
public final class HostTools {

    @Schema(name = "delete_file", description = "Deletes the file at the given path")
    public static String deleteFile(@Schema(name = "path", description = "the file to delete") String path) {
        System.out.println("TOOL_RAN delete_file");
        try {
            boolean deleted = Files.deleteIfExists(Path.of(path));
            return deleted ? "deleted " + path : "no such file " + path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Schema(name = "lookup", description = "Looks up the value stored under a key")
    public static String lookup(@Schema(name = "key", description = "the key to look up") String key) {
        System.out.println("TOOL_RAN lookup " + key);
        return "value-of-" + key;
    }
}
