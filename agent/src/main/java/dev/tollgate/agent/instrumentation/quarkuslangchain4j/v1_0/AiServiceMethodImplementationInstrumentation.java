package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import io.quarkiverse.langchain4j.runtime.aiservice.AiServiceMethodCreateInfo;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code AiServiceMethodImplementationSupport}: {@code implement(Input)}, which every generated AI-service method
 * calls, is the run (AI services called from inside a run join it); {@code executeTool(...)} (private static; only
 * the name is matched) catches every {@code Exception} a tool throws and hands it to the model as a tool error, so on
 * the way out it rethrows the halt decided on this thread. The loop then ends, and {@code implement} throws the
 * halt even if something above swallowed it. {@code memoryId(...)} names the run's session. A streamed method's
 * {@code Multi} carries its run until the stream ends ({@link QuarkusStreamingRun}).
 */
final class AiServiceMethodImplementationInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(QuarkusLangChain4jInstrumentationModule.SUPPORT);
  }

  @Override
  public String chokePoint() {
    return "run entry and tool error handling (AiServiceMethodImplementationSupport)";
  }

  @Override
  public java.util.List<String> helperClasses() {
    return java.util.List.of(getClass().getPackageName() + ".QuarkusStreamingRun");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("implement").and(takesArguments(1)).and(not(isStatic())),
        getClass().getName() + "$ImplementAdvice");
    // the same catch-all as LangChain4j's ToolService.executeWithErrorHandling: the same advice
    target.applyAdvice(named("executeTool").and(isStatic()),
        "dev.tollgate.agent.instrumentation.langchain4j.v1_0.ToolServiceInstrumentation$RethrowHaltAdvice");
    // memoryId(AiServiceMethodCreateInfo, Object[], boolean[, DefaultMemoryIdProvider]): private static; arity 3 in
    // 1.0.0, 4 since the DefaultMemoryIdProvider parameter came; the advice reads only the first
    target.applyAdvice(named("memoryId").and(isStatic())
        .and(takesArgument(0, named("io.quarkiverse.langchain4j.runtime.aiservice.AiServiceMethodCreateInfo"))),
        getClass().getName() + "$MemoryIdAdvice");
  }

  /**
   * The run's session: the memory id {@code implement} finds for the call, when the method names one with
   * {@code @MemoryId} (without one, quarkus-langchain4j keys its memory on the request scope, not a conversation).
   */
  @SuppressWarnings("unused")
  public static class MemoryIdAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) AiServiceMethodCreateInfo info, @Advice.Return Object memoryId) {
      if (info != null && memoryId != null && info.getMemoryIdParamPosition().isPresent()) {
        Guard.runSession(memoryId);
      }
    }
  }

  @SuppressWarnings("unused")
  public static class ImplementAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("quarkus-langchain4j");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown(readOnly = false) Throwable thrown) {
      if (thrown == null && run != null) {
        Object streamed = QuarkusStreamingRun.follow(result, run);
        if (streamed != null) {
          result = streamed; // a Multi: the run goes on with the stream
          return;
        }
      }
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }
}
