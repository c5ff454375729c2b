package dev.tollgate.agent.instrumentation.apachehttp.v5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import java.util.concurrent.Future;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * {@code InternalAbstractHttpAsyncClient.doExecute(HttpHost, AsyncRequestProducer, AsyncResponseConsumer,
 * HandlerFactory, HttpContext, FutureCallback)}: every {@code execute} of the async clients {@code HttpAsyncClients}
 * builds (HTTP/1.1 and HTTP/2) ends there, once per logical request, on the thread that called {@code execute}.
 * The producer and consumer are replaced by metering ones for an admitted call; a refused call does not execute,
 * and the app's consumer and callback get the provider-format refusal. {@code MinimalHttpAsyncClient} (its own
 * {@code execute}) is not hooked.
 */
final class AsyncClientInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient");
  }

  @Override
  public String chokePoint() {
    return "LLM call (CloseableHttpAsyncClient.execute)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    String p = getClass().getPackageName() + ".ApacheAsyncLlmCalls";
    return List.of(p, p + "$Target", p + "$Target$1", p + "$Head", p + "$Answer", p + "$Call",
        p + "$Produced", p + "$Replay", p + "$Metered", p + "$1", p + "$2");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("doExecute").and(takesArguments(6)), getClass().getName() + "$DoExecuteAdvice");
  }

  @SuppressWarnings({"unused", "rawtypes"})
  public static class DoExecuteAdvice {
    @Advice.OnMethodEnter(skipOn = ApacheAsyncLlmCalls.Answer.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) HttpHost target,
        @Advice.Argument(value = 1, readOnly = false) AsyncRequestProducer producer,
        @Advice.Argument(value = 2, readOnly = false) AsyncResponseConsumer consumer,
        @Advice.Argument(4) HttpContext context) {
      Object entered = ApacheAsyncLlmCalls.enter(target, producer, consumer, context);
      if (entered instanceof ApacheAsyncLlmCalls.Call) {
        producer = ((ApacheAsyncLlmCalls.Call) entered).producer;
        consumer = ((ApacheAsyncLlmCalls.Call) entered).consumer;
      }
      return entered;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered, @Advice.Argument(1) AsyncRequestProducer producer,
        @Advice.Argument(2) AsyncResponseConsumer consumer, @Advice.Argument(4) HttpContext context,
        @Advice.Argument(5) FutureCallback callback,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Future future,
        @Advice.Thrown Throwable thrown) {
      if (entered instanceof ApacheAsyncLlmCalls.Answer) {
        future = ApacheAsyncLlmCalls.refuse(entered, producer, consumer, context, callback);
      } else if (thrown != null && entered != null) {
        ApacheAsyncLlmCalls.thrown(entered, thrown);
      }
    }
  }
}
