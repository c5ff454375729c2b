package dev.tollgate.agent.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.platform.jdkhttp.JdkHttpGuard;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code jdk.internal.net.http.HttpClientImpl.sendAsync(HttpRequest, BodyHandler, PushPromiseHandler, Executor)}:
 * the private method that {@code send}, both public {@code sendAsync} overloads and the client facade all reach,
 * once per logical request (checked with javap on JDK 17 and 25). A metered call gets the app's body handler
 * wrapped; a blocked one skips the method and returns a completed future holding the synthetic error response.
 */
final class HttpClientImplInstrumentation implements TypeInstrumentation {
  static final String TYPE = "jdk.internal.net.http.HttpClientImpl";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(TYPE);
  }

  @Override
  public String chokePoint() {
    return "LLM call (HttpClient send/sendAsync)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("sendAsync").and(takesArguments(4)).and(isPrivate()),
        getClass().getName() + "$SendAsyncAdvice");
  }

  @SuppressWarnings({"unused", "rawtypes", "unchecked"})
  public static class SendAsyncAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request,
        @Advice.Argument(value = 1, readOnly = false) HttpResponse.BodyHandler handler) {
      Object answer = JdkHttpGuard.enter(request, handler);
      if (answer instanceof JdkHttpGuard.Replacement) {
        JdkHttpGuard.Replacement replacement = (JdkHttpGuard.Replacement) answer;
        request = replacement.request();
        handler = replacement.handler();
        return null;
      }
      return answer;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object blocked, @Advice.Argument(1) HttpResponse.BodyHandler handler,
        @Advice.Return(readOnly = false) CompletableFuture result,
        @Advice.Thrown Throwable thrown) {
      if (blocked != null) {
        result = (CompletableFuture) blocked;
      } else {
        JdkHttpGuard.exit(handler, result, thrown);
      }
    }
  }
}
