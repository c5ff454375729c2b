package com.example.host;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.model.tool.internal.ToolCallReactiveContextHolder;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * A host app's streaming model, scripted: one tool call per round trip, then "do", "ne". Streams the way Spring AI
 * 1.x provider models do ({@code OpenAiChatModel.internalStream}): each tool round runs the real
 * {@code DefaultToolCallingManager} inside {@code Flux.deferContextual(...).subscribeOn(boundedElastic())}, with
 * the Reactor context published in {@code ToolCallReactiveContextHolder}, and recurses into the next round.
 * Outside {@code dev.tollgate}, which the agent never weaves.
 */
public final class HostStreamingChatModel implements ChatModel {
  private final List<String> script;
  /** The tool results the model was sent, in order. */
  public final List<String> toolResults = Collections.synchronizedList(new ArrayList<>());
  /** Round trips served. */
  public final AtomicInteger turn = new AtomicInteger();
  private final ToolCallingManager tools = ToolCallingManager.builder().build();

  public HostStreamingChatModel(String... tools) {
    script = List.of(tools);
  }

  @Override
  public ChatOptions getDefaultOptions() {
    return ToolCallingChatOptions.builder().build();
  }

  @Override
  public ChatResponse call(Prompt prompt) {
    throw new UnsupportedOperationException("streaming only");
  }

  @Override
  public Flux<ChatResponse> stream(Prompt prompt) {
    return internalStream(prompt);
  }

  private Flux<ChatResponse> internalStream(Prompt prompt) {
    return Flux.deferContextual(ignored -> {
      List<Message> history = prompt.getInstructions();
      if (history.get(history.size() - 1) instanceof ToolResponseMessage r) {
        r.getResponses().forEach(response -> toolResults.add(response.responseData()));
      }
      int i = turn.getAndIncrement();
      if (i >= script.size()) {
        return Flux.just(text("do"), text("ne"));
      }
      // this module compiles without -parameters, so @Tool parameters are named arg0
      ChatResponse response = new ChatResponse(List.of(new Generation(AssistantMessage.builder().content("")
          .toolCalls(List.of(new AssistantMessage.ToolCall("call-" + i, "function", script.get(i),
              "{\"arg0\":\"k" + i + "\"}"))).build())));
      return Flux.deferContextual(context -> {
        ToolExecutionResult result;
        try {
          ToolCallReactiveContextHolder.setContext(context);
          result = tools.executeToolCalls(prompt, response);
        } finally {
          ToolCallReactiveContextHolder.clearContext();
        }
        return internalStream(new Prompt(result.conversationHistory(), prompt.getOptions()));
      }).subscribeOn(Schedulers.boundedElastic());
    });
  }

  private static ChatResponse text(String text) {
    return new ChatResponse(List.of(new Generation(new AssistantMessage(text))));
  }
}
