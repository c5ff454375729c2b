package dev.tollgate.agent.instrumentation.embabel.v0_5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.TollgateException;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.retry.RetryContext;

/**
 * Spring Retry's {@code RetryTemplate.canRetry(RetryPolicy, RetryContext)}, in a loader that has Embabel: Embabel runs
 * every LLM invocation (its whole tool loop) under a {@code RetryTemplate} that retries any exception
 * ({@code LlmDataBindingProperties}), which would replay a halted run's tool loop. A Tollgate decision (a halt, a
 * refused budget) is final: when the last throwable is a {@link TollgateException}, the template may not retry, and
 * the exception goes on to the caller.
 */
final class RetryTemplateInstrumentation implements TypeInstrumentation {
  static final String RETRY_TEMPLATE = "org.springframework.retry.support.RetryTemplate";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(RETRY_TEMPLATE);
  }

  @Override
  public String chokePoint() {
    return "a halt is not retried (RetryTemplate.canRetry)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("canRetry").and(takesArguments(2)), getClass().getName() + "$CanRetryAdvice");
  }

  @SuppressWarnings("unused")
  public static class CanRetryAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(1) RetryContext context,
        @Advice.Return(readOnly = false) boolean retry) {
      if (retry && context != null && context.getLastThrowable() instanceof TollgateException) {
        retry = false;
      }
    }
  }
}
