package dev.tollgate.agent.instrumentation.awssdk.v2;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * The AWS SDK for Java v2: AWS Bedrock Runtime's Converse, ConverseStream and (Anthropic) InvokeModel, called by
 * LangChain4j's {@code BedrockChatModel}, Spring AI's {@code BedrockProxyChatModel} or the app itself. The seam is
 * the SDK's own extension point, as OpenTelemetry's is: {@link TollgateExecutionInterceptor} joins the global
 * execution interceptors every client resolves when it is built, so every client is covered whatever HTTP client
 * it sends with (Apache 4 or 5, URL connection, Netty, CRT) and whatever retry policy it has; the HTTP clients
 * underneath never recognise Bedrock's paths, so a call is counted once.
 *
 * <p>Checked with {@code javap} on sdk-core / aws-core 2.33.5 and 2.36.3: {@code ClasspathInterceptorChainFactory
 * .getGlobalInterceptors(): List}; {@code ExecutionInterceptor}'s default methods {@code beforeExecution},
 * {@code beforeTransmission}, {@code modifyHttpResponse}, {@code modifyHttpResponseContent},
 * {@code modifyAsyncHttpResponseContent}, {@code afterExecution}, {@code onExecutionFailure};
 * {@code Context.ModifyHttpRequest.httpRequest()/requestBody()}, {@code Context.ModifyHttpResponse.httpResponse()/
 * responseBody()/responsePublisher()}, {@code Context.FailedExecution.exception()}; {@code ExecutionAttribute
 * (String)}, {@code ExecutionAttributes.getAttribute/putAttribute}; {@code RequestBody.contentStreamProvider()/
 * optionalContentLength()}; {@code SdkHttpRequest.encodedPath/getUri/method/firstMatchingHeader};
 * {@code SdkHttpResponse.builder()/statusCode()/firstMatchingHeader}; {@code AwsServiceException.builder()} and
 * {@code AwsErrorDetails.builder()}.
 */
public final class AwsSdkInstrumentationModule implements InstrumentationModule {
  static final String CHAIN_FACTORY = "software.amazon.awssdk.core.interceptor.ClasspathInterceptorChainFactory";
  static final String SERVICE_EXCEPTION = "software.amazon.awssdk.awscore.exception.AwsServiceException";

  @Override
  public String name() {
    return "aws-sdk";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(CHAIN_FACTORY, SERVICE_EXCEPTION);
  }

  @Override
  public List<String> anchors() {
    return List.of(CHAIN_FACTORY);
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/software.amazon.awssdk/sdk-core/pom.properties");
  }

  @Override
  public String versionField() {
    return "software.amazon.awssdk.core.util.VersionInfo#SDK_VERSION";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new InterceptorChainFactoryInstrumentation());
  }

  @Override
  public String minVersion() {
    return "2.33.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "3.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(CHAIN_FACTORY + "#getGlobalInterceptors",
        "software.amazon.awssdk.core.interceptor.ExecutionInterceptor#modifyAsyncHttpResponseContent",
        "software.amazon.awssdk.core.interceptor.ExecutionInterceptor#modifyHttpResponseContent",
        "software.amazon.awssdk.awscore.exception.AwsErrorDetails#builder");
  }
}
