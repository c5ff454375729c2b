package dev.tollgate.agent.instrumentation.azurecore.v1;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * azure-core 1.x ({@code com.azure:azure-core}): the HTTP pipeline of every Azure SDK client, so of Azure OpenAI
 * ({@code com.azure:azure-ai-openai}, which LangChain4j's {@code AzureOpenAiChatModel} and
 * {@code AzureOpenAiStreamingChatModel} call). Every request of every pipeline passes {@code HttpPipeline.send
 * (HttpPipelineCallContext)} (asynchronous; {@code send(HttpRequest)} and {@code send(HttpRequest, Context)} call it)
 * or {@code HttpPipeline.sendSync(HttpRequest, Context)} before any policy runs and whatever azure-core
 * {@code HttpClient} is underneath (Reactor Netty by default, OkHttp, the JDK client): one seam for all three. A
 * refused call is answered there with the provider-format error response, above the retry policy, so it is never
 * retried and nothing reaches the transport. The transport underneath does not count the request again
 * ({@code Guard.llmOuterEnter} while the pipeline runs on the calling thread; for a retried attempt subscribed on a
 * timer thread, the pipeline's Reactor context says so where the azure-core {@code HttpClient.send} attempt is
 * subscribed).
 *
 * <p>Checked with {@code javap} on azure-core 1.55.3: {@code HttpPipeline} (final) {@code send(HttpPipelineCallContext):
 * Mono<HttpResponse>}, {@code sendSync(HttpRequest, Context): HttpResponse} (since 1.33.0);
 * {@code HttpPipelineCallContext.getHttpRequest()}; {@code HttpRequest.getHttpMethod/getUrl/getBodyAsBinaryData/
 * setBody(BinaryData)}; {@code BinaryData.isReplayable/toReplayableBinaryData/getLength/toBytes/fromBytes};
 * {@code HttpResponse(HttpRequest)} and its abstract {@code getStatusCode/getHeaderValue(String)/getHeaders/getBody/
 * getBodyAsByteArray/getBodyAsString(..)}; {@code HttpHeaders.set(String, String)}.
 */
public final class AzureCoreInstrumentationModule implements InstrumentationModule {
  static final String PIPELINE = "com.azure.core.http.HttpPipeline";
  static final String CALL_CONTEXT = "com.azure.core.http.HttpPipelineCallContext";
  static final String HTTP_CLIENT = "com.azure.core.http.HttpClient";
  private static final String PACKAGE = AzureCoreInstrumentationModule.class.getPackageName() + ".";
  /** By name: the agent itself never loads them (they link against the host's azure-core and Reactor). */
  static final List<String> HELPERS = List.of(PACKAGE + "AzurePipelineGuard", PACKAGE + "AzurePipelineGuard$Failing", PACKAGE + "MeteredHttpResponse",
      PACKAGE + "BlockedHttpResponse", "dev.tollgate.agent.instrumentation.reactor.GovernedMono");

  @Override
  public String name() {
    return "azure-core";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(PIPELINE, CALL_CONTEXT, "reactor.core.publisher.MonoOperator");
  }

  @Override
  public List<String> anchors() {
    return List.of(PIPELINE, HTTP_CLIENT);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/com.azure/azure-core/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new HttpPipelineInstrumentation(), new AzureHttpClientInstrumentation());
  }

  @Override
  public String minVersion() {
    return "1.33.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "2.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(PIPELINE + "#send", PIPELINE + "#sendSync");
  }
}
