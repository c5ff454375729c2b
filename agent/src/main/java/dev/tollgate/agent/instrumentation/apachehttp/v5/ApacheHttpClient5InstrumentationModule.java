package dev.tollgate.agent.instrumentation.apachehttp.v5;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Apache HttpClient 5 classic ({@code org.apache.hc.client5}, 5.0 onwards): Spring's
 * {@code HttpComponentsClientHttpRequestFactory} (RestClient's first choice when HttpClient 5 is on the class
 * path) and apps that call providers with it directly; and the async client ({@code CloseableHttpAsyncClient}
 * as {@code HttpAsyncClients} builds it): Ktor's Apache 5 engine, which Koog uses by default.
 */
public final class ApacheHttpClient5InstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "apache-httpclient5";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("org.apache.hc.client5.http.impl.classic.CloseableHttpClient",
        "org.apache.hc.core5.http.io.entity.InputStreamEntity");
  }

  @Override
  public List<String> anchors() {
    return List.of("org.apache.hc.client5.http.impl.classic.InternalHttpClient",
        "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
        "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/org.apache.httpcomponents.client5/httpclient5/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ClassicClientInstrumentation(), new AsyncClientInstrumentation());
  }

  @Override
  public String minVersion() {
    return "5.0.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "6.0.0";
  }
}
