package dev.tollgate.agent.instrumentation.adk.v0_5;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.google.adk.tools.BaseTool;
import com.google.adk.tools.ToolContext;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import io.reactivex.rxjava3.core.Single;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code BaseTool.runAsync(Map, ToolContext)} in every tool class (function tools, agent tools, MCP tools,
 * built-ins); the generic {@code final} overloads convert their input and call this one. Decided when the
 * {@code Single} is made, before the tool runs; an override calling {@code super} counts once (same argument
 * map). A refusal is ADK's own error convention, {@code {"error": "blocked by policy: ..."}}, which the model sees
 * as the function response; a halt is {@code Single.error(LimitExceededException)}, which ends the run's event
 * stream with that error. An allowed MCP tool's {@code Single} calls the server when subscribed, after this frame:
 * {@link RemoteToolCall} marks that time as the same dispatch, so the MCP client does not count the call again.
 */
final class BaseToolInstrumentation implements TypeInstrumentation {
  private static final String BASE_TOOL = "com.google.adk.tools.BaseTool";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(BASE_TOOL).or(hasSuperType(named(BASE_TOOL)));
  }

  @Override
  public String chokePoint() {
    return "tool dispatch (BaseTool.runAsync)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    // by name: it extends the host's RxJava Single, so only the ADK loader may define it
    return List.of(getClass().getPackageName() + ".RemoteToolCall");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("runAsync").and(takesArguments(2)).and(takesArgument(0, Map.class))
        .and(takesArgument(1, named("com.google.adk.tools.ToolContext"))).and(not(isAbstract())),
        getClass().getName() + "$RunAsyncAdvice");
  }

  @SuppressWarnings("unused")
  public static class RunAsyncAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.This BaseTool tool, @Advice.Argument(0) Map<String, Object> args,
        @Advice.Argument(1) ToolContext context) {
      if (args == null) {
        return null;
      }
      if (context == null) {
        return Guard.toolEnter("google-adk", args, tool.name(), args, null, null);
      }
      // a sub-agent started by a tool (AgentTool) runs with its own runner, whose session service its tools see:
      // RunnerInstrumentation bound that to the outer tool's run
      return Guard.toolEnter("google-adk", args, tool.name(), args, context.sessionId(),
          Guard.runCarrier(context.invocationContext().sessionService(), context.invocationId()));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered, @Advice.This BaseTool tool,
        @Advice.Argument(0) Map<String, Object> args,
        @Advice.Return(readOnly = false) Single<Map<String, Object>> result) {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            result = Single.error(refusal.halt());
          } else {
            result = Single.just(Collections.<String, Object>singletonMap("error", refusal.text()));
          }
        } else {
          result = RemoteToolCall.wrap(result, tool, args, tool.name());
        }
      }
    }
  }
}
