package dev.tollgate.it;

import dev.tollgate.it.harness.ItPaths;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's table of frameworks and the versions tested says what the IT apps really run: for each row, the
 * versions it names (every {@code x.y.z}) are exactly those Maven resolved for the apps behind it (their
 * {@code target/classpath.txt}, or a {@code quarkus-app}'s {@code lib/main}). The SDK versions named in "LLM
 * metering and budgets" (docs/budgets.md) are checked the same way. Bump an app, and this fails until the README says so.
 */
class ReadmeVersionsIT {

    private static final Pattern VERSION = Pattern.compile("\\b\\d+\\.\\d+\\.\\d+\\b");

    /** A README row (by the start of its first cell) and the artifacts, in which apps, whose versions it names. */
    private record Row(String framework, List<Resolved> artifacts) {}

    private record Resolved(String app, String groupId, String artifactId) {}

    private static final List<Row> ROWS = List.of(
            new Row("LangChain4j", List.of(
                    new Resolved("langchain4j", "dev.langchain4j", "langchain4j"),
                    new Resolved("langchain4j-1.0", "dev.langchain4j", "langchain4j"),
                    new Resolved("langchain4j-azure", "dev.langchain4j", "langchain4j"))),
            new Row("Spring AI", List.of(
                    new Resolved("spring-ai-1.0", "org.springframework.ai", "spring-ai-model"),
                    new Resolved("spring-ai-1", "org.springframework.ai", "spring-ai-model"),
                    new Resolved("spring-ai-2", "org.springframework.ai", "spring-ai-model"),
                    new Resolved("spring-ai-azure", "org.springframework.ai", "spring-ai-model"))),
            new Row("MCP Java SDK", List.of(
                    new Resolved("mcp", "io.modelcontextprotocol.sdk", "mcp-core"),
                    new Resolved("mcp-0.10", "io.modelcontextprotocol.sdk", "mcp"))),
            new Row("Google ADK", List.of(
                    new Resolved("google-adk-1.0", "com.google.adk", "google-adk"),
                    new Resolved("google-adk", "com.google.adk", "google-adk"),
                    new Resolved("google-adk", "com.google.genai", "google-genai"))),
            new Row("quarkus-langchain4j", List.of(
                    new Resolved("quarkus-langchain4j-oldest", "io.quarkiverse.langchain4j", "quarkus-langchain4j-core"),
                    new Resolved("quarkus-langchain4j-oldest", "io.quarkus", "quarkus-core"),
                    new Resolved("quarkus-langchain4j", "io.quarkiverse.langchain4j", "quarkus-langchain4j-core"),
                    new Resolved("quarkus-langchain4j", "io.quarkus", "quarkus-core"))),
            new Row("AWS Bedrock", List.of(
                    new Resolved("langchain4j-bedrock", "dev.langchain4j", "langchain4j-bedrock"),
                    new Resolved("langchain4j-bedrock", "software.amazon.awssdk", "bedrockruntime"),
                    new Resolved("spring-ai-bedrock", "org.springframework.ai", "spring-ai-bedrock-converse"),
                    new Resolved("spring-ai-bedrock", "software.amazon.awssdk", "bedrockruntime"))),
            new Row("LangGraph4j", List.of(
                    new Resolved("langgraph4j-1.8", "org.bsc.langgraph4j", "langgraph4j-core"),
                    new Resolved("langgraph4j", "org.bsc.langgraph4j", "langgraph4j-core"))),
            new Row("Koog", List.of(
                    new Resolved("koog", "ai.koog", "agents-core-jvm"))),
            new Row("Embabel", List.of(
                    new Resolved("embabel", "com.embabel.agent", "embabel-agent-api"))));

    /**
     * Provider SDKs: "LLM metering and budgets" (docs/budgets.md) names each as {@code <app> <version>} where it lists what
     * metering was proved on, and no other version of it there (ADK's row may name the google-genai ADK brings).
     */
    private static final List<Resolved> SDKS = List.of(
            new Resolved("openai-java", "com.openai", "openai-java-core"),
            new Resolved("anthropic-java", "com.anthropic", "anthropic-java-core"),
            new Resolved("google-genai", "com.google.genai", "google-genai"));

    private static Path apps() {
        return ItPaths.moduleDir().resolve("../apps").normalize();
    }

    private static String readme() throws IOException {
        return Files.readString(ItPaths.repositoryRoot().resolve("README.md"));
    }

    /** The version of {@code groupId:artifactId} an app was built with. */
    static String resolvedVersion(Resolved r) throws IOException {
        Path target = apps().resolve(r.app()).resolve("target");
        Path classpath = target.resolve("classpath.txt");
        if (Files.isRegularFile(classpath)) {
            Pattern jar = Pattern.compile(Pattern.quote("/" + r.groupId().replace('.', '/') + "/" + r.artifactId() + "/")
                    + "([^/]+)/" + Pattern.quote(r.artifactId() + "-") + "\\1\\.jar$");
            for (String entry : Files.readString(classpath).trim().split(java.io.File.pathSeparator)) {
                Matcher m = jar.matcher(entry.replace('\\', '/'));
                if (m.find()) {
                    return m.group(1);
                }
            }
            throw new AssertionError(r + " is not on " + classpath);
        }
        Path lib = target.resolve("quarkus-app/lib/main");
        assertTrue(Files.isDirectory(lib), "neither " + classpath + " nor " + lib + ": build the app first");
        Pattern jar = Pattern.compile(Pattern.quote(r.groupId() + "." + r.artifactId() + "-") + "(\\d[^-]*)\\.jar");
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.map(p -> jar.matcher(p.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> m.group(1)).findFirst()
                    .orElseThrow(() -> new AssertionError(r + " is not in " + lib));
        }
    }

    private static List<String> frameworkTable(String readme) {
        List<String> rows = new ArrayList<>();
        boolean in = false;
        for (String line : readme.split("\n")) {
            if (line.startsWith("| framework | versions tested |")) {
                in = true;
            } else if (in && line.startsWith("|")) {
                if (!line.startsWith("|---")) {
                    rows.add(line);
                }
            } else if (in) {
                break;
            }
        }
        return rows;
    }

    @Test
    void everyFrameworkRowNamesExactlyTheVersionsItsAppsAreBuiltWith() throws IOException {
        List<String> table = frameworkTable(readme());
        assertEquals(ROWS.size(), table.size(), "one checked row per framework row of the README:\n" + table);
        for (Row row : ROWS) {
            List<String> matching = table.stream().filter(l -> l.startsWith("| " + row.framework())).toList();
            assertEquals(1, matching.size(), "README row for " + row.framework() + " in\n" + table);
            String[] cells = matching.get(0).split("\\|");
            Set<String> named = new TreeSet<>();
            Matcher m = VERSION.matcher(cells[1] + "|" + cells[2]);
            while (m.find()) {
                named.add(m.group());
            }
            Set<String> resolved = new TreeSet<>();
            for (Resolved r : row.artifacts()) {
                resolved.add(resolvedVersion(r));
            }
            assertEquals(resolved, named, "README's versions for " + row.framework() + " (" + cells[2].trim()
                    + ") against what the IT apps resolve");
        }
    }

    @Test
    void theProviderSdkVersionsTheReadmeNamesAreTheOnesTested() throws IOException {
        String readme = Files.readString(ItPaths.repositoryRoot().resolve("docs/budgets.md"));
        for (Resolved sdk : SDKS) {
            String version = resolvedVersion(sdk);
            String name = sdk.app(); // the SDK's own name: openai-java, anthropic-java, google-genai
            assertTrue(readme.contains(name + " " + version), "docs/budgets.md names " + name + " " + version);
            Matcher other = Pattern.compile(Pattern.quote(name) + " (\\d+\\.\\d+\\.\\d+)").matcher(readme);
            while (other.find()) {
                assertEquals(version, other.group(1), "docs/budgets.md names another " + name + " version than the app's");
            }
        }
        assertFalse(SDKS.isEmpty());
    }
}
