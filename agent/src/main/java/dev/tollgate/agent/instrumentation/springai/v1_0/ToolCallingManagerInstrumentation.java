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
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ToolCallingManager.executeToolCalls(Prompt, ChatResponse)} on every implementation: one tool round. In a
 * stream, Spring AI calls it on a {@code boundedElastic} worker with the stream's Reactor context published in
 * {@code ToolCallReactiveContextHolder}; the streaming run found there is made current for the round and taken
 * off the thread when it returns (a pooled worker keeps nothing). In a synchronous call the run is current
 * already and nothing happens.
 */
final class ToolCallingManagerInstrumentation implements TypeInstrumentation {
  private static final String TOOL_CALLING_MANAGER = "org.springframework.ai.model.tool.ToolCallingManager";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return hasSuperType(named(TOOL_CALLING_MANAGER)).and(not(isInterface()));
  }

  @Override
  public String chokePoint() {
    return "streaming run on tool threads (ToolCallingManager)";
  }

  @Override
  public List<String> helperClasses() {
    return StreamingRunHelpers.NAMES;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("executeToolCalls").and(takesArguments(2))
        .and(takesArgument(0, named("org.springframework.ai.chat.prompt.Prompt")))
        .and(takesArgument(1, named("org.springframework.ai.chat.model.ChatResponse"))).and(not(isAbstract())),
        getClass().getName() + "$ExecuteAdvice");
  }

  @SuppressWarnings("unused")
  public static class ExecuteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return StreamingRun.resumeForTools();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object resumed) {
      Guard.runRelease(resumed, false, null);
    }
  }
}
