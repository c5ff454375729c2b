package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import io.vertx.core.http.HttpClientResponse;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * {@code RestClientRequestContext}: its constructor runs on the thread that calls the REST client, which lends its
 * run to the request (the chain may send it from a Vert.x event loop). {@code initialiseResponse(HttpClientResponse)} is where the REST client first
 * holds the Vert.x response of a request it sent, before any of its body is read: an admitted LLM call's exchange
 * moves to that response, to be metered as it arrives. {@code close()} ends the request: an exchange still waiting
 * for a response then (the request failed before one came) is released.
 */
final class RestClientRequestContextInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(QuarkusRestClientInstrumentationModule.REQUEST_CONTEXT);
  }

  @Override
  public String chokePoint() {
    return "LLM response (Quarkus REST client RestClientRequestContext)";
  }

  @Override
  public List<String> helperClasses() {
    return QuarkusRestClientInstrumentationModule.HELPERS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(isConstructor(), getClass().getName() + "$ConstructorAdvice");
    target.applyAdvice(named("initialiseResponse").and(takesArguments(1)), getClass().getName() + "$ResponseAdvice");
    target.applyAdvice(named("close").and(takesArguments(0)), getClass().getName() + "$CloseAdvice");
  }

  @SuppressWarnings("unused")
  public static class ConstructorAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object context) {
      Guard.runLend(context);
    }
  }

  @SuppressWarnings("unused")
  public static class ResponseAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This RestClientRequestContext context,
        @Advice.Argument(0) HttpClientResponse response) {
      if (response != null) {
        QuarkusRestLlmCalls.responded(context, response);
      }
    }
  }

  @SuppressWarnings("unused")
  public static class CloseAdvice {
    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This RestClientRequestContext context) {
      QuarkusRestLlmCalls.closed(context);
    }
  }
}
