package dev.tollgate.agent.instrumentation.okhttp;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import okhttp3.OkHttpClient;

/**
 * The {@code okhttp3.OkHttpClient(OkHttpClient.Builder)} constructor, which every client goes through
 * ({@code new OkHttpClient()} delegates to it, {@code Builder.build()} calls it): before it copies the builder's
 * interceptors, {@link TollgateInterceptor} is put first among them (the OpenTelemetry okhttp-3.0 pattern). The
 * interceptor and its source are helper classes, defined into the loader of each {@code OkHttpClient} seen.
 */
final class OkHttpClientInstrumentation implements TypeInstrumentation {
  private static final String PACKAGE = OkHttpClientInstrumentation.class.getPackageName() + ".";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("okhttp3.OkHttpClient");
  }

  @Override
  public String chokePoint() {
    return "LLM call (OkHttpClient interceptor)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    // by name: the agent itself must never load these (they link against the host's OkHttp)
    return List.of(PACKAGE + "TollgateInterceptor", PACKAGE + "OkHttpLlmCalls", PACKAGE + "MeteredSource",
        PACKAGE + "MeteredSource$ToExchange");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(isConstructor().and(takesArguments(1))
        .and(takesArgument(0, named("okhttp3.OkHttpClient$Builder"))),
        getClass().getName() + "$ConstructorAdvice");
  }

  @SuppressWarnings("unused")
  public static class ConstructorAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) OkHttpClient.Builder builder) {
      if (builder != null) {
        TollgateInterceptor.addTo(builder.interceptors());
      }
    }
  }
}
