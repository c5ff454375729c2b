package dev.tollgate.agent.instrumentation.springai.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import reactor.core.publisher.Flux;

/**
 * The run boundary for direct streaming model use: {@code StreamingChatModel.stream(Prompt)} on every
 * implementation (1.x provider models run the tool loop inside their stream, on Reactor's {@code boundedElastic}
 * threads). Inside a {@code ChatClient} stream, and for the model's own calls in 2.0's tool loop, the stream joins
 * the run already carried by its subscriber's context ({@link StreamingRun}).
 */
final class ChatModelStreamInstrumentation implements TypeInstrumentation {
  private static final String STREAMING_CHAT_MODEL = "org.springframework.ai.chat.model.StreamingChatModel";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return hasSuperType(named(STREAMING_CHAT_MODEL)).and(not(isInterface()));
  }

  @Override
  public String chokePoint() {
    return "streaming run entry (ChatModel.stream)";
  }

  @Override
  public List<String> helperClasses() {
    return StreamingRunHelpers.NAMES;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("stream").and(takesArguments(1))
        .and(takesArgument(0, named("org.springframework.ai.chat.prompt.Prompt")))
        .and(returns(named("reactor.core.publisher.Flux"))).and(not(isAbstract())),
        getClass().getName() + "$StreamAdvice");
  }

  @SuppressWarnings("unused")
  public static class StreamAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) Flux<?> flux) {
      flux = StreamingRun.track(flux);
    }
  }
}
