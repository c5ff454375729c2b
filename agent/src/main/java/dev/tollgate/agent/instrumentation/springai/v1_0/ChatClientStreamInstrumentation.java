package dev.tollgate.agent.instrumentation.springai.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.ai.chat.client.ChatClientRequest;
import reactor.core.publisher.Flux;

/**
 * The run boundary for streaming {@code ChatClient} calls: {@code DefaultChatClient$DefaultStreamResponseSpec}
 * funnels {@code content()}, {@code chatResponse()} and {@code chatClientResponse()} into the private
 * {@code doGetObservableFluxChatResponse(ChatClientRequest)} (1.0 to 2.0). The returned stream is wrapped so that
 * subscribing to it starts one run, which follows the stream onto the threads Spring AI runs tools on and ends
 * when the stream does ({@link StreamingRun}).
 */
final class ChatClientStreamInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("org.springframework.ai.chat.client.DefaultChatClient$DefaultStreamResponseSpec");
  }

  @Override
  public String chokePoint() {
    return "streaming run entry (ChatClient stream)";
  }

  @Override
  public List<String> helperClasses() {
    return StreamingRunHelpers.NAMES;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("doGetObservableFluxChatResponse")
        .and(takesArgument(0, named("org.springframework.ai.chat.client.ChatClientRequest"))),
        getClass().getName() + "$StreamAdvice");
  }

  @SuppressWarnings("unused")
  public static class StreamAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) ChatClientRequest request,
        @Advice.Return(readOnly = false) Flux<?> flux) {
      Object conversation = request == null ? null : request.context().get("chat_memory_conversation_id");
      flux = StreamingRun.track(flux, conversation == null ? null : conversation.toString());
    }
  }
}
