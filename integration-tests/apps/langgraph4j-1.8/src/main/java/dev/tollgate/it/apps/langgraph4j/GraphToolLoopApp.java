package dev.tollgate.it.apps.langgraph4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.tollgate.it.apps.langchain4j.HostTools;
import java.time.Duration;
import java.util.Map;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.NodeOutput;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.prebuilt.MessagesState;

/**
 * An ordinary LangGraph4j app, unaware of Tollgate: AgentExecutor's loop built from langgraph4j-core
 * ({@link ToolGraph}) over a LangChain4j OpenAI model and the host's tools, invoked once; with {@code --stream},
 * streamed: the app drives the graph's generator itself, node by node.
 * <pre>GraphToolLoopApp --base-url URL --victim PATH [--stream]</pre>
 * Prints {@code RESULT: <text>} and exits 0, or {@code EXCEPTION: <class>: <message>} and exits 3.
 */
public final class GraphToolLoopApp {
    private GraphToolLoopApp() {
    }

    public static void main(String[] args) {
        String baseUrl = null;
        String victim = null;
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base-url" -> baseUrl = args[++i];
                case "--victim" -> victim = args[++i];
                case "--stream" -> stream = true;
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (baseUrl == null || victim == null) {
            usage("--base-url and --victim are required");
        }
        try {
            CompiledGraph<MessagesState<ChatMessage>> graph = ToolGraph.compile(OpenAiChatModel.builder()
                            .baseUrl(baseUrl)
                            .apiKey("sk-test-SECRET-123")
                            .modelName("gpt-4o-mini")
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    new HostTools());
            Map<String, Object> input =
                    Map.of("messages", UserMessage.from("Delete " + victim + ", then look up k1 to k5 one at a time."));
            RunnableConfig config = RunnableConfig.builder().threadId("conversation-1").build();
            MessagesState<ChatMessage> state;
            if (stream) {
                MessagesState<ChatMessage> last = null;
                for (NodeOutput<MessagesState<ChatMessage>> output : graph.stream(input, config)) {
                    System.out.println("NODE " + output.node());
                    last = output.state();
                }
                state = last;
            } else {
                state = graph.invoke(input, config).orElseThrow();
            }
            System.out.println("RESULT: " + ToolGraph.finalResponse(state));
        } catch (Exception e) {
            System.out.println("EXCEPTION: " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: GraphToolLoopApp --base-url URL --victim PATH [--stream]");
        System.exit(2);
    }
}
