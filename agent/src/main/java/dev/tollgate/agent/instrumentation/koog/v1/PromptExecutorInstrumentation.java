package dev.tollgate.agent.instrumentation.koog.v1;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;

import ai.koog.agents.core.agent.context.AIAgentContext;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ContextualPromptExecutor.execute}, {@code executeMultipleChoices} and {@code moderate}: every model call of
 * an agent's strategy goes through the per-run executor, which knows the run's {@code AIAgentContext}. On a call's
 * first entry (a resumption of the {@code suspend} state machine passes null arguments) the run is made current on
 * this thread until the method returns or suspends, so the coroutines the HTTP call starts carry it (see the
 * kotlinx.coroutines module) and the call is metered in the run. Streaming ({@code executeStreaming}, a cold
 * {@code Flow}) is not covered: its HTTP call starts when the flow is collected.
 */
final class PromptExecutorInstrumentation implements TypeInstrumentation {
  static final String EXECUTOR = "ai.koog.agents.core.feature.ContextualPromptExecutor";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(EXECUTOR);
  }

  @Override
  public String chokePoint() {
    return "LLM call run (ContextualPromptExecutor.execute)";
  }

  @Override
  public List<String> helperClasses() {
    return List.of(getClass().getPackageName() + ".KoogRun");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(namedOneOf("execute", "executeMultipleChoices", "moderate"),
        getClass().getName() + "$ExecuteAdvice");
  }

  @SuppressWarnings("unused")
  public static class ExecuteAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) Object prompt, @Advice.FieldValue("context") AIAgentContext context) {
      return prompt == null ? null : KoogRun.join(context);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object token) {
      Guard.runRelease(token, false, null);
    }
  }
}
