package dev.tollgate.it.apps.langgraph4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.tollgate.it.apps.langchain4j.HostTools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * An ordinary LangGraph4j app, unaware of Tollgate: AgentExecutor's loop built from langgraph4j-core
 * ({@link ToolGraph}), invoked N times for each of
 * several users, each user's invocations under their own thread id (the graph's conversation).
 * <pre>GraphSessionApp --base-url URL [--users alice,bob] [--calls N] [--max-tokens M]</pre>
 * Prints {@code CALL <user> <i> ok} or {@code CALL <user> <i> error=<class>: <message>} per invocation, then
 * {@code DONE ok=<n>}.
 */
public final class GraphSessionApp {
    private GraphSessionApp() {
    }

    public static void main(String[] args) throws Exception {
        String baseUrl = null;
        List<String> users = List.of("alice", "bob");
        int calls = 1;
        int maxTokens = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--users" -> users = List.of(args[++i].split(","));
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CompiledGraph<MessagesState<ChatMessage>> graph = ToolGraph.compile(OpenAiChatModel.builder()
                        .baseUrl(baseUrl)
                        .apiKey("sk-test-SECRET-123")
                        .modelName("sim-model")
                        .maxTokens(maxTokens)
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                new HostTools());
        int ok = 0;
        for (String user : users) {
            for (int i = 1; i <= calls; i++) {
                try {
                    graph.invoke(Map.of("messages", UserMessage.from(
                                    "Question number " + i + ": what is the capital of France?")),
                            RunnableConfig.builder().threadId(user).build()).orElseThrow();
                    ok++;
                    System.out.println("CALL " + user + " " + i + " ok");
                } catch (Exception e) {
                    System.out.println("CALL " + user + " " + i + " error=" + e.getClass().getName() + ": "
                            + e.getMessage());
                }
            }
        }
        System.out.println("DONE ok=" + ok);
        System.exit(0);
    }
}
