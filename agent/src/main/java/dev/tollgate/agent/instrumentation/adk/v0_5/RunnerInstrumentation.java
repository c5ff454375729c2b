package dev.tollgate.agent.instrumentation.adk.v0_5;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;

import com.google.adk.runner.Runner;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * A {@code Runner} made while a tool is being dispatched on this thread belongs to that tool's run: ADK's
 * {@code AgentTool} builds a new {@code InMemoryRunner} for its sub-agent inside {@code runAsync}, and the
 * sub-agent's tools then run under a new invocation id and session. Binding the new runner's session service
 * (which every one of those tools sees in its {@code InvocationContext}) to the dispatching run makes the
 * sub-agent's calls count against the run that started it. A runner made outside any tool binds nothing.
 */
final class RunnerInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("com.google.adk.runner.Runner");
  }

  @Override
  public String chokePoint() {
    return "sub-agent runner (Runner.<init>)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(isConstructor(), getClass().getName() + "$ConstructorAdvice");
  }

  @SuppressWarnings("unused")
  public static class ConstructorAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Runner runner) {
      Guard.runBindDispatching(runner.sessionService());
    }
  }
}
