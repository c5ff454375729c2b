package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * The Quarkus REST client (RESTEasy Reactive client, {@code io.quarkus.resteasy.reactive:resteasy-reactive-client}
 * 3.x) on the Vert.x 4 HTTP client: the transport of quarkus-langchain4j's providers (OpenAI, Anthropic, Ollama,
 * ...), whose REST interfaces are all called through one handler chain. The request is governed where the chain
 * sends it ({@code ClientSendRequestHandler.handle}): a refused call is aborted there with the provider-format error
 * response, as a {@code ClientRequestFilter}'s {@code abortWith} would be, and never reaches Vert.x. The response is
 * metered where Vert.x receives it ({@code HttpClientResponseImpl.handleChunk/handleEnd/handleException}), whichever
 * way the REST client then reads it (a whole JSON body, an SSE {@code Multi}, an {@code InputStream}).
 *
 * <p>Checked with {@code javap} on resteasy-reactive-client 3.33.2 with vertx-core 4.5.27 and on 3.20.0 with 4.5.13
 * (the Quarkus under quarkus-langchain4j 1.0.0): the members the helpers
 * call are {@code RestClientRequestContext.getUri/getHttpMethod/getEntity/getRequestHeadersAsMap/writeEntity(Entity,
 * MultivaluedMap, WriterInterceptor[])/isAborted/isMultipart/isFileUpload/isInputStreamUpload/isMultiBufferUpload/
 * setAbortedWith/setResponseStatus/setResponseHeaders/setResponseReasonPhrase}, {@code initialiseResponse
 * (HttpClientResponse)} and {@code close()}; Vert.x {@code HttpClientResponse.statusCode/getHeader(String)} and
 * {@code Buffer.getByteBuf()}.
 */
public final class QuarkusRestClientInstrumentationModule implements InstrumentationModule {
  static final String SEND_HANDLER = "org.jboss.resteasy.reactive.client.handlers.ClientSendRequestHandler";
  static final String REQUEST_CONTEXT = "org.jboss.resteasy.reactive.client.impl.RestClientRequestContext";
  static final String VERTX_RESPONSE = "io.vertx.core.http.impl.HttpClientResponseImpl";
  private static final String PACKAGE = QuarkusRestClientInstrumentationModule.class.getPackageName() + ".";
  /** By name: the agent itself never loads them (they link against the host's REST client and Vert.x). */
  static final List<String> HELPERS = List.of(PACKAGE + "QuarkusRestLlmCalls", PACKAGE + "VertxResponseMeter");

  @Override
  public String name() {
    return "quarkus-rest-client";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(SEND_HANDLER, VERTX_RESPONSE);
  }

  @Override
  public List<String> anchors() {
    return List.of(SEND_HANDLER, REQUEST_CONTEXT, VERTX_RESPONSE);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/io.quarkus.resteasy.reactive/resteasy-reactive-client/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new ClientSendRequestHandlerInstrumentation(), new RestClientRequestContextInstrumentation(),
        new VertxClientResponseInstrumentation());
  }

  @Override
  public String minVersion() {
    return "3.0.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "4.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(SEND_HANDLER + "#handle", REQUEST_CONTEXT + "#initialiseResponse",
        REQUEST_CONTEXT + "#writeEntity", REQUEST_CONTEXT + "#setAbortedWith", VERTX_RESPONSE + "#handleChunk",
        VERTX_RESPONSE + "#handleEnd", VERTX_RESPONSE + "#handleException");
  }
}
