package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.invocation.InvocationContext;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ToolExecutor.execute(ToolExecutionRequest, Object)} (all 1.x) and {@code executeWithContext(...)}
 * (1.6+, a default method the interface itself carries): the one place every tool call passes. Both are woven;
 * the outermost frame for a given request decides, so {@code DefaultToolExecutor.execute -> executeWithContext}
 * and the default {@code executeWithContext -> execute} count once, while a tool that calls a sub-agent's tools
 * makes new calls that are decided on their own. A refused call's body never runs; the model gets the
 * refusal as the tool's result ({@code isError} where the version has it).
 */
final class ToolExecutorInstrumentation implements TypeInstrumentation {
  private static final String TOOL_EXECUTOR = "dev.langchain4j.service.tool.ToolExecutor";
  private static final String REQUEST = "dev.langchain4j.agent.tool.ToolExecutionRequest";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TOOL_EXECUTOR).or(hasSuperType(named(TOOL_EXECUTOR)).and(not(isInterface())));
  }

  @Override
  public String chokePoint() {
    return "tool dispatch (ToolExecutor)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("execute").and(takesArguments(2)).and(takesArgument(0, named(REQUEST)))
        .and(returns(String.class)).and(not(isAbstract())), getClass().getName() + "$ExecuteAdvice");
    target.applyAdvice(named("executeWithContext").and(takesArguments(2)).and(takesArgument(0, named(REQUEST)))
        .and(not(isAbstract())), getClass().getName() + "$ExecuteWithContextAdvice");
  }

  @SuppressWarnings("unused")
  public static class ExecuteAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) ToolExecutionRequest request,
        @Advice.Argument(1) Object memoryId) {
      if (request == null) {
        return null;
      }
      return Guard.toolEnter("langchain4j", request, request.name(), request.arguments(), memoryId);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) String result,
        @Advice.Thrown(readOnly = false) Throwable thrown) {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            thrown = refusal.halt();
          } else {
            result = refusal.text();
          }
        }
      }
    }
  }

  @SuppressWarnings("unused")
  public static class ExecuteWithContextAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) ToolExecutionRequest request,
        @Advice.Argument(1) InvocationContext context) {
      if (request == null) {
        return null;
      }
      return Guard.toolEnter("langchain4j", request, request.name(), request.arguments(),
          context == null ? null : context.chatMemoryId(), context == null ? null : context.invocationId());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) ToolExecutionResult result,
        @Advice.Thrown(readOnly = false) Throwable thrown) {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            thrown = refusal.halt();
          } else {
            result = ToolExecutionResult.builder().isError(true).resultText(refusal.text()).build();
          }
        }
      }
    }
  }
}
