package dev.tollgate.agent.instrumentation.springai.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.ai.chat.client.ChatClientRequest;

/**
 * The run boundary for {@code ChatClient}: {@code DefaultChatClient$DefaultCallResponseSpec} funnels
 * {@code content()}, {@code chatResponse()}, {@code chatClientResponse()}, {@code entity(..)} and
 * {@code responseEntity(..)} into the private {@code doGetObservableChatClientResponse(ChatClientRequest[, chain])}
 * (1.0 to 2.0), which runs the advisor chain, the model and the whole tool loop. One call is one run; a
 * {@code ChatClient} called from inside a tool joins the outer run. A halt decided during the run leaves this
 * method as the thrown exception even if something on the way swallowed it. The run's session is the request's
 * conversation id (the advisor parameter {@code ChatMemory.CONVERSATION_ID}, {@code chat_memory_conversation_id}),
 * so the run's LLM calls count against {@code scope: session} budgets.
 */
final class ChatClientCallInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("org.springframework.ai.chat.client.DefaultChatClient$DefaultCallResponseSpec");
  }

  @Override
  public String chokePoint() {
    return "run entry (ChatClient call)";
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("doGetObservableChatClientResponse")
        .and(takesArgument(0, named("org.springframework.ai.chat.client.ChatClientRequest"))),
        getClass().getName() + "$CallAdvice");
  }

  @SuppressWarnings("unused")
  public static class CallAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) ChatClientRequest request) {
      Object conversation = request == null ? null : request.context().get("chat_memory_conversation_id");
      return Guard.runEnter("spring-ai", conversation == null ? null : conversation.toString());
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
