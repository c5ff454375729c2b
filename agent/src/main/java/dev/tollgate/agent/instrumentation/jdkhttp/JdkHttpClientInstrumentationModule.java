package dev.tollgate.agent.instrumentation.jdkhttp;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * The JDK's {@code java.net.http.HttpClient}: LangChain4j 1.x's default transport, the MCP SDK's HTTP transports,
 * Spring's {@code JdkClientHttpRequestFactory} and any app that calls a provider by hand. Only requests whose
 * path is an LLM endpoint are touched; everything else passes as it is.
 */
public final class JdkHttpClientInstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "jdk-httpclient";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(); // part of the JDK: the type name alone decides
  }

  @Override
  public List<String> anchors() {
    return List.of("jdk.internal.net.http.HttpClientImpl");
  }

  @Override
  public List<String> versionResources() {
    return List.of();
  }

  @Override
  public String fixedVersion() {
    return System.getProperty("java.version");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new HttpClientImplInstrumentation());
  }
}
