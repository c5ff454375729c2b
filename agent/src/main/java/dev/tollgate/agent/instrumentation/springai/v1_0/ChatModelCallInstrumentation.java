package dev.tollgate.agent.instrumentation.springai.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The run boundary for direct model use: {@code ChatModel.call(Prompt)} on every implementation. In 1.x the
 * provider model runs the tool loop itself (e.g. {@code OpenAiChatModel.internalCall}), so an app that calls the
 * model without a {@code ChatClient} still gets one run per call. Inside a {@code ChatClient} call, and for the
 * loop's own recursive calls, it joins the run already in progress.
 */
final class ChatModelCallInstrumentation implements TypeInstrumentation {
  private static final String CHAT_MODEL = "org.springframework.ai.chat.model.ChatModel";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return hasSuperType(named(CHAT_MODEL)).and(not(isInterface()));
  }

  @Override
  public String chokePoint() {
    return "run entry (ChatModel.call)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("call").and(takesArguments(1))
        .and(takesArgument(0, named("org.springframework.ai.chat.prompt.Prompt"))).and(not(isAbstract())),
        getClass().getName() + "$CallAdvice");
  }

  @SuppressWarnings("unused")
  public static class CallAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("spring-ai");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }
}
