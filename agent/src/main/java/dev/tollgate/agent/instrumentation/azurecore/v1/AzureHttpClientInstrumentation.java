package dev.tollgate.agent.instrumentation.azurecore.v1;

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
import reactor.core.publisher.Mono;

/**
 * {@code send(HttpRequest, Context)} of every azure-core {@code HttpClient} (Reactor Netty, OkHttp, the JDK client,
 * or the app's own): the attempt it returns is subscribed with the thread marked as governed when the pipeline's
 * subscriber context says azure-core governs the call ({@link AzurePipelineGuard#markedAttempt}). The retry policy
 * subscribes a new attempt after its delay on a timer thread, where no mark of the first subscription is; the
 * Reactor context carries it there, so a transport that is instrumented itself leaves the retried request to the
 * pipeline too.
 */
final class AzureHttpClientInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return hasSuperType(named(AzureCoreInstrumentationModule.HTTP_CLIENT)).and(not(isInterface()));
  }

  @Override
  public String chokePoint() {
    return "attempt of a governed azure-core call (HttpClient.send)";
  }

  @Override
  public List<String> helperClasses() {
    return AzureCoreInstrumentationModule.HELPERS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("send").and(takesArguments(2)).and(not(isAbstract()))
        .and(takesArgument(0, named("com.azure.core.http.HttpRequest")))
        .and(takesArgument(1, named("com.azure.core.util.Context")))
        .and(returns(named("reactor.core.publisher.Mono"))), getClass().getName() + "$SendAdvice");
  }

  @SuppressWarnings({"unused", "rawtypes", "unchecked"})
  public static class SendAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) Mono result) {
      if (result != null) {
        result = AzurePipelineGuard.markedAttempt(result);
      }
    }
  }
}
