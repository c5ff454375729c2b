package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.util.Optional;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The run's session: an AI-service call finds its memory id ({@code @MemoryId} argument, else LangChain4j's
 * {@code "default"}) through {@code DefaultAiServices.findMemoryId(Method, Object[])} (1.0 to 1.19) inside the proxy
 * call, after the run started and before its first model request. Naming it on the run makes the run's LLM calls
 * carry the session, as its tool calls (which LangChain4j hands the memory id) always did, so {@code scope: session}
 * budgets and limits reach them.
 */
final class MemoryIdInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("dev.langchain4j.service.DefaultAiServices");
  }

  @Override
  public String chokePoint() {
    return "run session (AI service memory id)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("findMemoryId").and(isStatic()).and(takesArguments(2)).and(returns(Optional.class)),
        getClass().getName() + "$MemoryIdAdvice");
  }

  @SuppressWarnings("unused")
  public static class MemoryIdAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return Optional<?> memoryId) {
      if (memoryId != null) {
        Guard.runSession(memoryId.isPresent() ? memoryId.get() : "default");
      }
    }
  }
}
