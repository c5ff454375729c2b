package dev.tollgate.agent.instrumentation.azurecore.v1;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import reactor.core.publisher.Mono;

/**
 * {@code HttpPipeline.send(HttpPipelineCallContext)} and {@code HttpPipeline.sendSync(HttpRequest, Context)}, the
 * top of every azure-core pipeline. Asynchronous: the returned {@code Mono} is replaced by one that admits the call
 * when it is subscribed ({@link AzurePipelineGuard#send}). Synchronous: the call is admitted on entry (a refusal
 * skips the pipeline and is returned as the response), the transport underneath is told the request is governed
 * while the pipeline runs, and the response returned is metered.
 */
final class HttpPipelineInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(AzureCoreInstrumentationModule.PIPELINE);
  }

  @Override
  public String chokePoint() {
    return "LLM call (azure-core HttpPipeline send/sendSync)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    return AzureCoreInstrumentationModule.HELPERS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("send").and(takesArguments(1))
        .and(takesArgument(0, named(AzureCoreInstrumentationModule.CALL_CONTEXT))),
        getClass().getName() + "$SendAdvice");
    target.applyAdvice(named("sendSync").and(takesArguments(2)), getClass().getName() + "$SendSyncAdvice");
  }

  @SuppressWarnings({"unused", "rawtypes", "unchecked"})
  public static class SendAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This HttpPipeline pipeline, @Advice.Argument(0) HttpPipelineCallContext context,
        @Advice.Return(readOnly = false) Mono result) {
      Mono governed = AzurePipelineGuard.send(context, result);
      if (governed != null) {
        result = governed;
      }
    }
  }

  @SuppressWarnings("unused")
  public static class SendSyncAdvice {
    @Advice.OnMethodEnter(skipOn = HttpResponse.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) HttpRequest request) {
      return AzurePipelineGuard.enterSync(request);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) HttpRequest request, @Advice.Enter Object entered,
        @Advice.Return(readOnly = false) HttpResponse response, @Advice.Thrown Throwable thrown) {
      HttpResponse answer = AzurePipelineGuard.exitSync(request, entered, response, thrown);
      if (answer != null) {
        response = answer;
      }
    }
  }
}
