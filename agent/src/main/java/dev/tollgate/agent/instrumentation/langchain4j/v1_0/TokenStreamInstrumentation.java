package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code AiServiceTokenStream.start()}: where a streaming AI-service run begins. The run stays open after
 * {@code start()} returns; {@link StreamingRunInstrumentation} carries it through the callbacks and ends it.
 */
final class TokenStreamInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("dev.langchain4j.service.AiServiceTokenStream");
  }

  @Override
  public String chokePoint() {
    return "streaming run entry (TokenStream.start)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("start").and(takesArguments(0)), getClass().getName() + "$StartAdvice");
  }

  @SuppressWarnings("unused")
  public static class StartAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("langchain4j");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown Throwable thrown) {
      Guard.runDetach(run, thrown);
    }
  }
}
