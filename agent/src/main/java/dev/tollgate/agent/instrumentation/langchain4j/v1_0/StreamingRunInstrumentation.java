package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Streaming AI services: the AI-service call returns a {@code TokenStream} at once, and the tools run later on
 * the HTTP client's callback threads. The run therefore starts at {@code AiServiceTokenStream.start()}, is bound
 * to each {@code AiServiceStreamingResponseHandler} created inside it, is made current again whenever a handler
 * callback runs (and in 1.19's per-tool {@code execute}, which may run on a tool executor), and ends when a
 * completed response hands the run to no new handler, or on error.
 */
final class StreamingRunInstrumentation implements TypeInstrumentation {
  static final String HANDLER = "dev.langchain4j.service.AiServiceStreamingResponseHandler";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(HANDLER);
  }

  @Override
  public String chokePoint() {
    return "streaming run (AiServiceStreamingResponseHandler)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(isConstructor(), getClass().getName() + "$BindAdvice");
    target.applyAdvice(named("onCompleteResponse").and(takesArguments(1))
        .or(named("onError").and(takesArguments(1))), getClass().getName() + "$TerminalCallbackAdvice");
    target.applyAdvice(named("execute").and(takesArguments(1)), getClass().getName() + "$ToolCallbackAdvice");
  }

  @SuppressWarnings("unused")
  public static class BindAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object handler) {
      Guard.runBind(handler);
    }
  }

  @SuppressWarnings("unused")
  public static class TerminalCallbackAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Object handler) {
      return Guard.runResume(handler);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object resumed, @Advice.Thrown Throwable thrown) {
      Guard.runRelease(resumed, true, thrown);
    }
  }

  @SuppressWarnings("unused")
  public static class ToolCallbackAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Object handler) {
      return Guard.runResume(handler);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object resumed) {
      Guard.runRelease(resumed, false, null);
    }
  }
}
