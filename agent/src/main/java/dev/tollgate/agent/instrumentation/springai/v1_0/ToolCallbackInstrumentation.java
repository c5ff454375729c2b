package dev.tollgate.agent.instrumentation.springai.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * {@code ToolCallback.call(String)} and {@code call(String, ToolContext)} (every line; the two-argument form is a
 * default method on the interface that delegates to the one-argument form, while {@code MethodToolCallback},
 * {@code FunctionToolCallback} and the MCP callbacks delegate the other way). Every implementation is woven, so
 * a tool called by the framework's loop, by another framework or by the app directly is decided before its body
 * runs.
 *
 * <p>Request identity: the {@code ToolCallback} instance. Both overloads delegate on the same instance, so the
 * outer frame decides and the inner one is skipped; a different callback called from inside a tool (a sub-agent's
 * tool) is a different instance and is decided on its own. The argument {@code String} cannot serve: the loop
 * passes the interned literal {@code "{}"} for every argument-less call, so a sub-agent's argument-less tool inside
 * an argument-less tool would be missed. The price of the instance key: the same callback called recursively from
 * inside its own body is not decided again (documented gap), and a user-written decorator around another callback
 * is decided twice (counted twice, never missed). Spring AI's own decorator, {@code AugmentedToolCallback}, is
 * therefore not woven; its delegate decides, under the same tool name.
 *
 * <p>A refused call returns the refusal text as the tool result, which every caller (the framework loop, other
 * frameworks' adapters) hands to the model as is; a halt is thrown as the unchecked {@code LimitExceededException},
 * which {@code DefaultToolCallingManager} does not catch (it converts only {@code ToolExecutionException}).
 */
final class ToolCallbackInstrumentation implements TypeInstrumentation {
  private static final String TOOL_CALLBACK = "org.springframework.ai.tool.ToolCallback";
  private static final String TOOL_CONTEXT = "org.springframework.ai.chat.model.ToolContext";
  private static final String AUGMENTED = "org.springframework.ai.tool.augment.AugmentedToolCallback";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TOOL_CALLBACK)
        .or(hasSuperType(named(TOOL_CALLBACK)).and(not(isInterface())).and(not(named(AUGMENTED))));
  }

  @Override
  public String chokePoint() {
    return "tool dispatch (ToolCallback)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("call").and(takesArguments(1)).and(takesArgument(0, String.class))
        .and(returns(String.class)).and(not(isAbstract())), getClass().getName() + "$CallAdvice");
    target.applyAdvice(named("call").and(takesArguments(2)).and(takesArgument(0, String.class))
        .and(takesArgument(1, named(TOOL_CONTEXT))).and(returns(String.class)).and(not(isAbstract())),
        getClass().getName() + "$CallWithContextAdvice");
  }

  @SuppressWarnings("unused")
  public static class CallAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.This ToolCallback callback, @Advice.Argument(0) String input) {
      ToolDefinition definition = callback.getToolDefinition();
      String name = definition == null ? null : definition.name();
      return Guard.toolEnter("spring-ai", callback, name == null ? "" : name, input, null);
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

  /**
   * As {@link CallAdvice}, with the session taken from the tool context: Spring AI puts no conversation id there
   * by itself, so this reads the key the app may pass with {@code toolContext(...)}: {@code ChatMemory.CONVERSATION_ID}
   * ({@code "chat_memory_conversation_id"}), else {@code "conversationId"}.
   */
  @SuppressWarnings("unused")
  public static class CallWithContextAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.This ToolCallback callback, @Advice.Argument(0) String input,
        @Advice.Argument(1) ToolContext context) {
      ToolDefinition definition = callback.getToolDefinition();
      String name = definition == null ? null : definition.name();
      Object session = null;
      if (context != null) {
        Map<String, Object> values = context.getContext();
        if (values != null) {
          session = values.get("chat_memory_conversation_id");
          if (session == null) {
            session = values.get("conversationId");
          }
        }
      }
      return Guard.toolEnter("spring-ai", callback, name == null ? "" : name, input, session);
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
}
