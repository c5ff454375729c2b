package dev.tollgate.agent.instrumentation.springwebflux.v6_1;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Spring's reactive HTTP client, spring-webflux 6.1 onwards ({@code WebClient}; Spring AI 1.x streams through it):
 * every exchange of every connector (Reactor Netty, Jetty, Apache HttpClient 5 async, the JDK client) passes
 * {@code ExchangeFunctions.DefaultExchangeFunction.exchange}, after the app's filters. The transport underneath
 * does not count the request again ({@code Guard.llmOuterEnter}).
 */
public final class SpringWebFluxInstrumentationModule implements InstrumentationModule {
  static final String EXCHANGE_FUNCTION =
      "org.springframework.web.reactive.function.client.ExchangeFunctions$DefaultExchangeFunction";

  @Override
  public String name() {
    return "spring-webflux";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("org.springframework.web.reactive.function.client.ExchangeFunctions",
        "org.springframework.http.client.reactive.ClientHttpRequest", "reactor.core.publisher.MonoOperator");
  }

  @Override
  public List<String> anchors() {
    return List.of(EXCHANGE_FUNCTION);
  }

  @Override
  public List<String> versionResources() {
    return List.of(); // Spring's jars carry no pom.properties
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ExchangeFunctionInstrumentation());
  }
}
