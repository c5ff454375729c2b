package dev.tollgate.agent.instrumentation.embabel.v0_5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code DefaultToolLoop.executeToolCall(Tool, ToolCall)}: the one funnel of Embabel's tool loop (sequential and
 * parallel), below the tool's own decorators, so one model-requested call is decided once. A refusal is what the
 * loop makes of a tool that failed, {@code Tool.Result.Error(text)} rendered {@code "Error: <text>"}, which goes into the
 * conversation as the tool's result; a halt throws the typed exception out of {@code executeToolCall}, which
 * {@code processToolCall} rethrows, failing the action and its agent process.
 */
final class ToolLoopInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(EmbabelInstrumentationModule.TOOL_LOOP);
  }

  @Override
  public String chokePoint() {
    return "tool dispatch (DefaultToolLoop.executeToolCall)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    String helper = getClass().getPackageName() + ".EmbabelToolCalls";
    return List.of(helper, helper + "$Handles", helper + "$Lookup");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("executeToolCall").and(takesArguments(2))
        .and(takesArgument(0, named("com.embabel.agent.api.tool.Tool")))
        .and(takesArgument(1, named("com.embabel.chat.ToolCall"))),
        getClass().getName() + "$ExecuteToolCallAdvice");
  }

  @SuppressWarnings("unused")
  public static class ExecuteToolCallAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(1) Object toolCall) throws Exception {
      if (toolCall == null) {
        return null;
      }
      return Guard.toolEnter("embabel", toolCall, EmbabelToolCalls.name(toolCall),
          EmbabelToolCalls.arguments(toolCall), null, EmbabelToolCalls.processRun(toolCall));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered, @Advice.Argument(1) Object toolCall,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
        @Advice.Thrown(readOnly = false) Throwable thrown) throws Exception {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            thrown = refusal.halt();
          } else {
            result = EmbabelToolCalls.refused(toolCall, refusal.text());
          }
        }
      }
    }
  }
}
