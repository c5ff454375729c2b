package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.langchain4j.invocation.InvocationContext;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import java.lang.reflect.Method;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The run boundary: the {@code InvocationHandler} behind every AI-service proxy
 * ({@code DefaultAiServices$1.invoke(Object, Method, Object[])} in every 1.x). One call is one run; AI services
 * called from inside a run (an agent calling a sub-agent) join it. A halt decided during the run leaves this
 * method as the thrown exception even if the framework swallowed it on the way.
 */
final class AiServiceInvocationInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return nameStartsWith("dev.langchain4j.service.DefaultAiServices$")
        .and(hasSuperType(named("java.lang.reflect.InvocationHandler")));
  }

  @Override
  public String chokePoint() {
    return "run entry (AI service call)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("invoke").and(takesArguments(3)).and(takesArgument(1, Method.class)),
        getClass().getName() + "$InvokeAdvice");
    target.applyAdvice(named("invoke").and(takesArguments(3)).and(takesArgument(0, Method.class))
        .and(takesArgument(2, named("dev.langchain4j.invocation.InvocationContext"))),
        getClass().getName() + "$BindContextAdvice");
  }

  /**
   * 1.6+: the inner {@code invoke(Method, Object[], InvocationContext)} receives the call's invocation id, which
   * every tool of this call sees again in its (derived) {@code InvocationContext}; binding the run to that id lets
   * tools executed on a worker pool ({@code executeToolsConcurrently}) count against the right run.
   */
  @SuppressWarnings("unused")
  public static class BindContextAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(2) InvocationContext context) {
      if (context != null) {
        Guard.runBind(context.invocationId());
      }
    }
  }

  @SuppressWarnings("unused")
  public static class InvokeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("langchain4j");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }
}
