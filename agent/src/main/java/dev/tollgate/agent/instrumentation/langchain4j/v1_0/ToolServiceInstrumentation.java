package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ToolService.executeWithErrorHandling} (1.4+; its parameters change between versions, so only the name
 * is matched) catches every {@code Exception} a tool throws and turns it into text for the model. A halt must end
 * the run instead, so on the way out this rethrows the halt decided on this thread, if any.
 */
final class ToolServiceInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("dev.langchain4j.service.tool.ToolService");
  }

  @Override
  public String chokePoint() {
    return "tool error handling (ToolService)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("executeWithErrorHandling").and(isStatic()), getClass().getName() + "$RethrowHaltAdvice");
  }

  @SuppressWarnings("unused")
  public static class RethrowHaltAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.takePendingHalt();
      if (halt != null) {
        thrown = halt;
      }
    }
  }
}
