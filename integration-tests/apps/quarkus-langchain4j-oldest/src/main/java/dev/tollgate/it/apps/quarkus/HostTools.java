package dev.tollgate.it.apps.quarkus;

import dev.langchain4j.agent.tool.Tool;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's tools: a destructive one and a harmless one. Each prints {@code TOOL_RAN <name> <argument>}. */
@ApplicationScoped
public class HostTools {

    @Tool(name = "delete_file", value = "Deletes the file at the given path")
    public String deleteFile(String path) throws IOException {
        System.out.println("TOOL_RAN delete_file " + path);
        System.out.flush();
        return Files.deleteIfExists(Path.of(path)) ? "deleted" : "no such file";
    }

    @Tool(name = "lookup", value = "Looks up the value of a key")
    public String lookup(String key) {
        System.out.println("TOOL_RAN lookup " + key);
        System.out.flush();
        return "value-of-" + key;
    }
}
