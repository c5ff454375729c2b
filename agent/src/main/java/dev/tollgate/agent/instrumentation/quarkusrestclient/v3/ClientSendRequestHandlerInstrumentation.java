package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * {@code ClientSendRequestHandler.handle(RestClientRequestContext)}: the step of the REST client's handler chain that
 * hands the request to Vert.x, after the app's request filters. Before it runs, an LLM call is admitted; a refused
 * one is aborted, and the handler, seeing the abort, sends nothing.
 */
final class ClientSendRequestHandlerInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(QuarkusRestClientInstrumentationModule.SEND_HANDLER);
  }

  @Override
  public String chokePoint() {
    return "LLM call (Quarkus REST client ClientSendRequestHandler)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    return QuarkusRestClientInstrumentationModule.HELPERS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("handle").and(takesArguments(1))
        .and(takesArgument(0, named(QuarkusRestClientInstrumentationModule.REQUEST_CONTEXT))),
        getClass().getName() + "$HandleAdvice");
  }

  @SuppressWarnings("unused")
  public static class HandleAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) RestClientRequestContext context) {
      if (context != null) {
        QuarkusRestLlmCalls.sending(context);
      }
    }
  }
}
