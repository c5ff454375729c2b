package dev.tollgate.agent.instrumentation.reactornetty.v1;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Reactor Netty's {@code HttpClient} (reactor-netty-http 1.0 onwards; 1.0.48 and 1.2.18 proved) used directly by an
 * app: LLM calls metered and refused there. Spring's {@code WebClient} / {@code RestClient} and azure-core's pipeline
 * over Reactor Netty are governed by their own layer, which marks the requests it hands down (the thread that
 * assembles or subscribes the connection, or azure-core's Reactor context key), and this module leaves those alone.
 * The jar carries no {@code pom.properties}; the version line is held by {@link #requiredMembers()}.
 */
public final class ReactorNettyInstrumentationModule implements InstrumentationModule {
  static final String FINALIZER = "reactor.netty.http.client.HttpClientFinalizer";
  static final String OPERATIONS = "reactor.netty.http.client.HttpClientOperations";

  @Override
  public String name() {
    return "reactor-netty";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(FINALIZER, OPERATIONS, "reactor.netty.http.client.HttpClientInfos");
  }

  @Override
  public List<String> anchors() {
    return List.of(FINALIZER, OPERATIONS);
  }

  @Override
  public List<String> versionResources() {
    return List.of();
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ReactorNettyInstrumentations.Finalizer(), new ReactorNettyInstrumentations.Operations());
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(FINALIZER + "#_connect", OPERATIONS + "#onInboundNext",
        OPERATIONS + "#send", "reactor.netty.http.client.HttpClientInfos#currentContextView",
        "reactor.netty.http.client.HttpClientInfos#resourceUrl");
  }
}
