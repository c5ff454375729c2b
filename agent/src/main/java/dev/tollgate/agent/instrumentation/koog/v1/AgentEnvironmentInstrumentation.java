package dev.tollgate.agent.instrumentation.koog.v1;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import ai.koog.agents.core.agent.context.AIAgentContext;
import ai.koog.agents.core.environment.ReceivedToolResult;
import ai.koog.agents.core.environment.ToolResultKind;
import ai.koog.prompt.message.MessagePart;
import ai.koog.serialization.JSONObject;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import java.util.Collections;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ContextualAgentEnvironment.executeTool(MessagePart.Tool.Call, ToolCallMetadata, Continuation)}: the per-run
 * environment every strategy node ({@code nodeExecuteTool}, {@code nodeExecuteMultipleTools}, parallel or not) and
 * the two-argument overload call for each tool call. A {@code suspend} function: its first entry carries the call;
 * when it resumes after a suspension, Kotlin's state machine re-enters it with null arguments, which the advice
 * ignores, so each call is decided once, before Koog's {@code onToolCallStarting} and before the tool runs.
 *
 * <p>A refusal returns at once (no suspension) the {@code ReceivedToolResult} Koog itself makes for a tool that
 * failed, {@code ToolResultKind.Failure}, whose output is the refusal text: the strategy hands it to the model as the
 * tool's result, as it would a tool's error. A halt throws the typed exception out of {@code executeTool}, past the
 * environment's own per-tool {@code try}, ending {@code AIAgent.run}.
 *
 * <p>The run is the root {@code AIAgentContext} of the call (one per {@code AIAgent.run}), named by its
 * {@code runId} and identity hash (a string: the run table keeps no Koog context, with its prompt, alive), so the run follows the agent across coroutine thread hops; the session is that
 * {@code runId}, which is the {@code sessionId} the caller passed to {@code run}, or a random one.
 */
final class AgentEnvironmentInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(KoogInstrumentationModule.ENVIRONMENT);
  }

  @Override
  public String chokePoint() {
    return "tool dispatch (ContextualAgentEnvironment.executeTool)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public java.util.List<String> helperClasses() {
    return java.util.List.of(getClass().getPackageName() + ".KoogRun");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("executeTool").and(takesArguments(3))
        .and(takesArgument(0, named("ai.koog.prompt.message.MessagePart$Tool$Call")))
        .and(takesArgument(1, named("ai.koog.agents.core.tools.ToolCallMetadata")))
        .and(takesArgument(2, named("kotlin.coroutines.Continuation"))),
        getClass().getName() + "$ExecuteToolAdvice");
  }

  @SuppressWarnings("unused")
  public static class ExecuteToolAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) MessagePart.Tool.Call call,
        @Advice.FieldValue("context") AIAgentContext context) {
      if (call == null) {
        return null; // a resumption of the state machine: decided on the first entry
      }
      return Guard.toolEnter("koog", call, call.getTool(), call.getArgs(), KoogRun.session(context),
          KoogRun.id(context));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered, @Advice.Argument(0) MessagePart.Tool.Call call,
        @Advice.Return(readOnly = false, typing = net.bytebuddy.implementation.bytecode.assign.Assigner.Typing.DYNAMIC)
        Object result,
        @Advice.Thrown(readOnly = false) Throwable thrown) {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            thrown = refusal.halt();
          } else {
            result = new ReceivedToolResult(call.getId(), call.getTool(),
                new JSONObject(Collections.emptyMap()), null, refusal.text(), new ToolResultKind.Failure(null),
                null, null, null); // no parts: the model gets the output as the tool message's text
          }
        }
      }
    }
  }
}
