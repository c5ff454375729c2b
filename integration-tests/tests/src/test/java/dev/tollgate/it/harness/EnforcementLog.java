package dev.tollgate.it.harness;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent's JSON Lines enforcement log, read back: one map per line, in order. */
public final class EnforcementLog {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * The API keys every IT app sends, and header names whose values are secret: no enforcement log any IT reads
     * may contain one (checked on every read, so every suite's logs are covered).
     */
    static final List<String> SECRETS = List.of("sk-test-SECRET-123", "sk-ant-test-SECRET-123",
            "test-key-SECRET-123", "Bearer ", "x-api-key", "x-goog-api-key", "authorization");

    private final Path file;
    private final String text;
    private final List<Map<String, Object>> entries;

    private EnforcementLog(Path file, String text, List<Map<String, Object>> entries) {
        this.file = file;
        this.text = text;
        this.entries = entries;
    }

    /** Reads the log; fails if it does not exist or a line is not a JSON object. */
    public static EnforcementLog read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("enforcement log " + file + " was not written");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<Map<String, Object>> entries = new ArrayList<>();
            int lineNumber = 0;
            for (String line : text.lines().toList()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    entries.add(MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { }));
                } catch (IOException e) {
                    throw new AssertionError(file + ":" + lineNumber + " is not a JSON object: " + line, e);
                }
            }
            for (String secret : SECRETS) {
                if (text.toLowerCase(java.util.Locale.ROOT).contains(secret.toLowerCase(java.util.Locale.ROOT))) {
                    throw new AssertionError("the enforcement log " + file + " contains a secret or a secret header's "
                            + "name: " + secret);
                }
            }
            return new EnforcementLog(file, text, List.copyOf(entries));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Map<String, Object>> entries() {
        return entries;
    }

    /** The entries whose {@code event} is {@code name}, e.g. {@code events("tool.call")}. */
    public List<Map<String, Object>> events(String name) {
        return entries.stream().filter(e -> name.equals(e.get("event"))).toList();
    }

    public Optional<Map<String, Object>> first(String name) {
        return events(name).stream().findFirst();
    }

    /** The single entry with this event name; fails if there is none or more than one. */
    public Map<String, Object> only(String name) {
        List<Map<String, Object>> found = events(name);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + name + " event, found " + found.size() + " in\n" + text);
        }
        return found.get(0);
    }

    /** The {@code tool.call} events for one tool. */
    public List<Map<String, Object>> toolCalls(String tool) {
        return events("tool.call").stream().filter(e -> tool.equals(e.get("tool"))).toList();
    }

    /** The raw text, e.g. to assert a secret or an argument never appears in it. */
    public String text() {
        return text;
    }

    public Path file() {
        return file;
    }

    @Override
    public String toString() {
        return file + ":\n" + text;
    }
}
