package dev.tollgate.it.apps.langgraph4j;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.Map;
import java.util.UUID;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.action.AsyncNodeAction;
import org.bsc.langgraph4j.action.Command;
import org.bsc.langgraph4j.langchain4j.serializer.std.LC4jStateSerializer;
import org.bsc.langgraph4j.langchain4j.tool.LC4jToolService;
import org.bsc.langgraph4j.prebuilt.MessagesState;
import org.bsc.langgraph4j.prebuilt.MessagesStateGraph;

/**
 * The agent loop AgentExecutor builds, written with langgraph4j-core and langgraph4j-langchain4j alone (the registry
 * serves no agent-executor of this line): an {@code agent} node asks the model with the tools' specifications, an
 * {@code action} node runs the tool calls it asked for through {@code LC4jToolService} and appends their results,
 * and the graph goes back to the model until it answers without a tool call.
 */
final class ToolGraph {
    /** MessagesState's channel of chat messages, an appender. */
    private static final String MESSAGES = "messages";

    private ToolGraph() {
    }

    static CompiledGraph<MessagesState<ChatMessage>> compile(ChatModel model, Object tools) throws GraphStateException {
        LC4jToolService toolService = LC4jToolService.builder().toolsFromObject(tools).build();
        AsyncNodeAction<MessagesState<ChatMessage>> agent = node_async(state -> Map.of(MESSAGES,
                model.chat(ChatRequest.builder()
                        .messages(state.messages())
                        .toolSpecifications(toolService.toolSpecifications())
                        .build()).aiMessage()));
        AsyncNodeAction<MessagesState<ChatMessage>> action = state -> toolService.execute(
                ((AiMessage) state.lastMessage().orElseThrow()).toolExecutionRequests(),
                InvocationContext.builder().invocationId(UUID.randomUUID()).build(),
                MESSAGES).thenApply(Command::update);
        return new MessagesStateGraph<ChatMessage>(new LC4jStateSerializer<>(MessagesState::new))
                .addNode("agent", agent)
                .addNode("action", action)
                .addEdge(START, "agent")
                .addConditionalEdges("agent", edge_async(state -> asksForTools(state) ? "action" : "answer"),
                        Map.of("action", "action", "answer", END))
                .addEdge("action", "agent")
                .compile();
    }

    static String finalResponse(MessagesState<ChatMessage> state) {
        return state.lastMessage().filter(AiMessage.class::isInstance).map(m -> ((AiMessage) m).text()).orElse("");
    }

    private static boolean asksForTools(MessagesState<ChatMessage> state) {
        return state.lastMessage().filter(m -> m instanceof AiMessage ai && ai.hasToolExecutionRequests()).isPresent();
    }
}
