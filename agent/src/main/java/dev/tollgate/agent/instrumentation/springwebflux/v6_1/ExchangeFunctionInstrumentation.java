package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Mono;

/**
 * {@code ExchangeFunctions.DefaultExchangeFunction.exchange(ClientRequest)} (checked with javap on spring-webflux
 * 6.2.19; its {@code strategies} field holds the message writers and readers): for a request to an LLM endpoint,
 * the method's {@code Mono} is replaced by {@link WebClientGuard#exchange}'s, which reads the body, decides, and
 * either answers with a synthetic 402 {@code ClientResponse} or sends the same bytes and meters the response body.
 */
final class ExchangeFunctionInstrumentation implements TypeInstrumentation {
  private static final String PACKAGE = ExchangeFunctionInstrumentation.class.getPackageName() + ".";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(SpringWebFluxInstrumentationModule.EXCHANGE_FUNCTION);
  }

  @Override
  public String chokePoint() {
    return "LLM call (WebClient exchange)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    return List.of(PACKAGE + "WebClientGuard", PACKAGE + "WebClientGuard$Outgoing", PACKAGE + "BodyCapture",
        "dev.tollgate.agent.instrumentation.reactor.GovernedMono", PACKAGE + "MeteredBody");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("exchange").and(takesArguments(1)), getClass().getName() + "$ExchangeAdvice");
  }

  @SuppressWarnings({"unused", "rawtypes", "unchecked"})
  public static class ExchangeAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    public static Mono enter(@Advice.This ExchangeFunction self,
        @Advice.FieldValue("strategies") ExchangeStrategies strategies, @Advice.Argument(0) ClientRequest request) {
      return WebClientGuard.exchange(self, strategies, request);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Enter Mono governed, @Advice.Return(readOnly = false) Mono result) {
      if (governed != null) {
        result = governed;
      }
    }
  }
}
