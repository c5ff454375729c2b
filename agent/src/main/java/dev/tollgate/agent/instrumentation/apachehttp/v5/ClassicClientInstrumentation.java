package dev.tollgate.agent.instrumentation.apachehttp.v5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;

/**
 * {@code InternalHttpClient.doExecute(HttpHost, ClassicHttpRequest, HttpContext)} (what the builders make) and
 * {@code MinimalHttpClient.doExecute}: every {@code execute} overload of {@code CloseableHttpClient} ends there,
 * once per logical request; redirects and retries happen inside it. The response entity seen here is already
 * decompressed by the client. A blocked call returns a synthetic 402 response without executing anything.
 */
final class ClassicClientInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return namedOneOf("org.apache.hc.client5.http.impl.classic.InternalHttpClient",
        "org.apache.hc.client5.http.impl.classic.MinimalHttpClient");
  }

  @Override
  public String chokePoint() {
    return "LLM call (CloseableHttpClient.execute)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    String p = getClass().getPackageName() + ".";
    return List.of(p + "ApacheLlmCalls", p + "ApacheLlmCalls$Target", p + "ApacheLlmCalls$Answer");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("doExecute").and(takesArguments(3)), getClass().getName() + "$DoExecuteAdvice");
  }

  @SuppressWarnings("unused")
  public static class DoExecuteAdvice {
    @Advice.OnMethodEnter(skipOn = ApacheLlmCalls.Answer.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request) {
      return ApacheLlmCalls.enter(target, request);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) CloseableHttpResponse response,
        @Advice.Thrown(readOnly = false) Throwable thrown) {
      if (entered != null) {
        Throwable failure = ApacheLlmCalls.failure(entered);
        if (failure != null) {
          thrown = failure;
        } else {
          response = ApacheLlmCalls.exit(entered, response, thrown);
        }
      }
    }
  }
}
