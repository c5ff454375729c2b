package dev.tollgate.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The runnable modules under {@code integration-tests} (host apps and the demo), as the ITs fork them: with
 * {@code -cp <jar>:<classpath.txt> <main>}, or, for an executable jar (no main class named here), with {@code -jar}.
 */
public enum AppModule {
    LANGCHAIN4J("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.ToolLoopApp"),
    LANGCHAIN4J_1_0("apps/langchain4j-1.0", "dev.tollgate.it.apps.langchain4j.ToolLoopApp"),
    SPRING_AI_1("apps/spring-ai-1", "dev.tollgate.it.apps.springai.ToolLoopApp"),
    SPRING_AI_1_0("apps/spring-ai-1.0", "dev.tollgate.it.apps.springai.ToolLoopApp"),
    SPRING_AI_2("apps/spring-ai-2", "dev.tollgate.it.apps.springai.ToolLoopApp"),
    MCP("apps/mcp", "dev.tollgate.it.apps.mcp.McpClientApp"),
    MCP_0_10("apps/mcp-0.10", "dev.tollgate.it.apps.mcp.McpClientApp"),
    SPRING_AI_MCP("apps/spring-ai-mcp", "dev.tollgate.it.apps.springaimcp.SpringAiMcpApp"),
    GOOGLE_ADK("apps/google-adk", "dev.tollgate.it.apps.adk.AdkToolLoopApp"),
    GOOGLE_ADK_1_0("apps/google-adk-1.0", "dev.tollgate.it.apps.adk.AdkToolLoopApp"),
    LANGGRAPH4J("apps/langgraph4j", "dev.tollgate.it.apps.langgraph4j.GraphToolLoopApp"),
    LANGGRAPH4J_1_8("apps/langgraph4j-1.8", "dev.tollgate.it.apps.langgraph4j.GraphToolLoopApp"),
    ISOLATION("apps/isolation", "dev.tollgate.it.apps.isolation.IsolationApp"),
    LLM_JDK("apps/llm-jdk", "dev.tollgate.it.apps.llmjdk.LlmClientApp"),
    LANGCHAIN4J_BUDGET("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.BudgetApp"),
    LANGCHAIN4J_EARLY_CALLS("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.EarlyCallsApp"),
    SPRING_AI_1_BUDGET("apps/spring-ai-1", "dev.tollgate.it.apps.springai.BudgetApp"),
    SPRING_AI_1_NETTY_BUDGET("apps/spring-ai-1-netty", "dev.tollgate.it.apps.springai.BudgetApp"),
    SPRING_AI_2_BUDGET("apps/spring-ai-2", "dev.tollgate.it.apps.springai.BudgetApp"),
    LANGCHAIN4J_UNHOOKED_CLIENT("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.UnhookedClientApp"),
    LANGCHAIN4J_SESSION("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.SessionApp"),
    LANGCHAIN4J_TOOL_RUNS("apps/langchain4j", "dev.tollgate.it.apps.langchain4j.ToolRunsApp"),
    LANGCHAIN4J_1_0_SESSION("apps/langchain4j-1.0", "dev.tollgate.it.apps.langchain4j.SessionApp"),
    SPRING_AI_1_SESSION("apps/spring-ai-1", "dev.tollgate.it.apps.springai.SessionApp"),
    LANGGRAPH4J_SESSION("apps/langgraph4j", "dev.tollgate.it.apps.langgraph4j.GraphSessionApp"),
    LANGGRAPH4J_1_8_SESSION("apps/langgraph4j-1.8", "dev.tollgate.it.apps.langgraph4j.GraphSessionApp"),
    SPRING_AI_2_SESSION("apps/spring-ai-2", "dev.tollgate.it.apps.springai.SessionApp"),
    GOOGLE_ADK_SESSION("apps/google-adk", "dev.tollgate.it.apps.adk.AdkSessionApp"),
    OPENAI_JAVA("apps/openai-java", "dev.tollgate.it.apps.openai.OpenAiJavaApp"),
    ANTHROPIC_JAVA("apps/anthropic-java", "dev.tollgate.it.apps.anthropic.AnthropicJavaApp"),
    GOOGLE_GENAI("apps/google-genai", "dev.tollgate.it.apps.genai.GenAiApp"),
    LANGCHAIN4J_BEDROCK_BUDGET("apps/langchain4j-bedrock", "dev.tollgate.it.apps.bedrock.BedrockBudgetApp"),
    LANGCHAIN4J_BEDROCK_TOOLS("apps/langchain4j-bedrock", "dev.tollgate.it.apps.bedrock.BedrockToolApp"),
    SPRING_AI_BEDROCK_BUDGET("apps/spring-ai-bedrock", "dev.tollgate.it.apps.springaibedrock.BedrockBudgetApp"),
    KOOG("apps/koog", "dev.tollgate.it.apps.koog.KoogToolLoopAppKt"),
    EMBABEL("apps/embabel", "dev.tollgate.it.apps.embabel.EmbabelToolLoopAppKt"),
    LANGCHAIN4J_AZURE("apps/langchain4j-azure", "dev.tollgate.it.apps.azure.AzureApp"),
    SPRING_AI_AZURE("apps/spring-ai-azure", "dev.tollgate.it.apps.springaiazure.SpringAiAzureApp"),
    /** A Spring Boot fat jar: its manifest names Boot's {@code JarLauncher}, which finds the app's main class. */
    SPRING_BOOT_FATJAR("apps/spring-boot-fatjar", null),
    /** A Quarkus app as {@code quarkus-maven-plugin} packages it: {@code target/quarkus-app/quarkus-run.jar}. */
    QUARKUS_LANGCHAIN4J("apps/quarkus-langchain4j", null),
    /** The same, on quarkus-langchain4j 1.0.0 (Quarkus 3.20.0) with the OpenAI, Anthropic and Ollama providers. */
    QUARKUS_LANGCHAIN4J_1_0("apps/quarkus-langchain4j-oldest", null),
    DEMO("demo", "dev.tollgate.it.demo.LangChain4jDemo");

    private final String directory;
    private final String mainClass;

    AppModule(String directory, String mainClass) {
        this.directory = directory;
        this.mainClass = mainClass;
    }

    public String mainClass() {
        return mainClass;
    }

    public Path dir() {
        return ItPaths.moduleDir().resolve("..").resolve(directory).normalize();
    }

    /** True for an executable jar (Spring Boot's), forked with {@code java -jar}: it carries its own class path. */
    public boolean isExecutableJar() {
        return mainClass == null;
    }

    /** The jar {@code mvn package} built in the module's {@code target/}. */
    public Path jar() {
        Path target = dir().resolve("target");
        Path quarkusApp = target.resolve("quarkus-app").resolve("quarkus-run.jar");
        if (Files.isRegularFile(quarkusApp)) {
            return quarkusApp;
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-sources.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-tests.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no jar in " + target + " -- run mvn package on " + dir()));
        } catch (IOException e) {
            throw new UncheckedIOException("no jar in " + target + " -- run mvn package on " + dir(), e);
        }
    }

    /** The app's jar followed by its runtime dependencies ({@code target/classpath.txt}, written at package). */
    public String classpath() {
        if (isExecutableJar()) {
            throw new IllegalStateException(this + " is an executable jar: fork it with ForkedApp.of, which uses -jar");
        }
        Path classpathFile = dir().resolve("target/classpath.txt");
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException(classpathFile + " is missing -- run mvn package on " + dir());
        }
        try {
            String dependencies = Files.readString(classpathFile).strip();
            return dependencies.isEmpty() ? jar().toString() : jar() + java.io.File.pathSeparator + dependencies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return directory.substring(directory.lastIndexOf('/') + 1);
    }
}
