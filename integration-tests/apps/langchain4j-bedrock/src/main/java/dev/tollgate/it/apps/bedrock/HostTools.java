package dev.tollgate.it.apps.bedrock;

import dev.langchain4j.agent.tool.Tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The app's tools; they print a marker so a test can count which bodies really ran. */
public class HostTools {

    @Tool(name = "delete_file", value = "Deletes the file at the given path")
    public String deleteFile(String path) {
        System.out.println("TOOL_RAN delete_file");
        try {
            boolean deleted = Files.deleteIfExists(Path.of(path));
            return deleted ? "deleted " + path : "no such file " + path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Tool(name = "lookup", value = "Looks up the value stored under a key")
    public String lookup(String key) {
        System.out.println("TOOL_RAN lookup " + key);
        return "value-of-" + key;
    }
}
