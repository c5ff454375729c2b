package dev.tollgate.agent.instrumentation.adk.v0_5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;

import dev.tollgate.agent.spi.TypeInstrumentation;
import io.reactivex.rxjava3.core.Flowable;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The model call of an ADK invocation: {@code BaseLlmFlow.callLlm(..., InvocationContext, ...)} builds the
 * {@code Flowable} that sends the request when subscribed. Its result is wrapped ({@link LlmCallRun}) so that
 * the invocation's run, with the ADK session as its conversation, is current on the thread that subscribes, where
 * {@code Gemini} hands the request to google-genai; the OkHttp instrumentation carries it on to the dispatcher
 * thread that sends it. The run's LLM calls then count against its {@code run} and {@code session} budgets.
 */
final class LlmFlowInstrumentation implements TypeInstrumentation {
  private static final String HELPER = LlmFlowInstrumentation.class.getPackageName() + ".LlmCallRun";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("com.google.adk.flows.llmflows.BaseLlmFlow");
  }

  @Override
  public String chokePoint() {
    return "model call of an invocation (BaseLlmFlow.callLlm)";
  }

  @Override
  public List<String> helperClasses() {
    // by name: it extends the host's RxJava Flowable, so only the ADK loader may define it
    return List.of(HELPER);
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("callLlm").and(returns(named("io.reactivex.rxjava3.core.Flowable"))),
        getClass().getName() + "$CallLlmAdvice");
  }

  @SuppressWarnings("unused")
  public static class CallLlmAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.AllArguments Object[] args,
        @Advice.Return(readOnly = false) Flowable<?> result) {
      result = LlmCallRun.wrap(result, args);
    }
  }
}
