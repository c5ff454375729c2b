package dev.tollgate.agent.instrumentation.springweb.v6_1;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * Spring's blocking HTTP client abstraction, spring-web 6.1 onwards ({@code RestClient}, {@code RestTemplate}, the
 * HTTP interface proxies): every {@code ClientHttpRequest} of every connector (Reactor Netty, Jetty, Apache
 * HttpClient 5, the JDK client, {@code HttpURLConnection}) and the intercepting wrapper run through
 * {@code executeInternal} of the two abstract bases this module weaves, so an LLM call is governed whichever
 * connector Spring picked. The transport underneath does not count it again ({@code Guard.llmOuterEnter}).
 */
public final class SpringWebInstrumentationModule implements InstrumentationModule {
  static final String BUFFERING = "org.springframework.http.client.AbstractBufferingClientHttpRequest";
  static final String STREAMING = "org.springframework.http.client.AbstractStreamingClientHttpRequest";

  @Override
  public String name() {
    return "spring-web";
  }

  @Override
  public List<String> markerClasses() {
    // AbstractStreamingClientHttpRequest arrived in 6.1, with the connector-neutral request bodies woven here
    return List.of(STREAMING, "org.springframework.http.StreamingHttpOutputMessage$Body");
  }

  @Override
  public List<String> anchors() {
    return List.of(BUFFERING, STREAMING);
  }

  @Override
  public List<String> versionResources() {
    return List.of(); // Spring's jars carry no pom.properties
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ClientHttpRequestInstrumentation());
  }
}
