package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.service.tool.DefaultToolExecutor;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * An app that governs nothing on purpose and calls out as early as a JVM allows: a tool from a static initializer
 * (before {@code main}), then an LLM call through the JDK {@code HttpClient} and another tool on {@code main}'s
 * first lines, while an agent attached with {@code -javaagent} may still be getting ready.
 * <pre>EarlyCallsApp --base-url URL --victim PATH</pre>
 * Each tool call prints {@code TOOL <n> <result>} (the tool's own {@code TOOL_RAN} marker when its body runs), the
 * LLM call {@code LLM status=<code>}; then {@code DONE}.
 */
public final class EarlyCallsApp {

    /** Set by the JVM before {@code main}: the tool call in here runs while the class is being initialised. */
    static final String FROM_STATIC_INIT;

    static {
        String victim = System.getProperty("early.victim");
        FROM_STATIC_INIT = victim == null ? "no -Dearly.victim" : deleteFile(victim);
    }

    private EarlyCallsApp() {
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = args[1];
        String victim = args[3];
        System.out.println("TOOL static-init " + FROM_STATIC_INIT);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ToolLoopApp.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + ToolLoopApp.MODEL
                        + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("LLM status=" + response.statusCode());
        System.out.println("TOOL main " + deleteFile(victim));
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    /** LangChain4j's own dispatcher for a {@code @Tool} method, as an AI service would call it. */
    static String deleteFile(String path) {
        try {
            Method method = HostTools.class.getMethod("deleteFile", String.class);
            DefaultToolExecutor executor = new DefaultToolExecutor(new HostTools(), method);
            return executor.execute(ToolExecutionRequest.builder().id("early-1").name("delete_file")
                    .arguments("{\"path\":\"" + path.replace("\\", "\\\\") + "\"}").build(), "early");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
