package dev.tollgate.agent.instrumentation.okhttp;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import okhttp3.Call;

/**
 * {@code RealCall.enqueue(Callback)}: an asynchronous call runs its interceptors on OkHttp's dispatcher thread,
 * which carries no run. The caller's run is lent to the call's request, which {@link TollgateInterceptor} sees
 * first ({@code chain.request()} is the call's original request), so the LLM call counts against the run that
 * sent it (google-genai's async client, which ADK uses; openai-java's and anthropic-java's async clients). Likewise
 * an outer layer's "governed" mark (azure-core's pipeline enqueuing through azure-core-http-okhttp): the
 * interceptor then leaves the call to that layer.
 */
final class RealCallInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    // 4.6 and later (5.x too); okhttp3.RealCall before
    return named("okhttp3.internal.connection.RealCall").or(named("okhttp3.RealCall"));
  }

  @Override
  public String chokePoint() {
    return "run of an asynchronous call (RealCall.enqueue)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("enqueue").and(takesArguments(1)).and(takesArgument(0, named("okhttp3.Callback"))),
        getClass().getName() + "$EnqueueAdvice");
  }

  @SuppressWarnings("unused")
  public static class EnqueueAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Call call) {
      Guard.runLend(call.request());
      Guard.llmOuterLend(call.request());
    }
  }
}
