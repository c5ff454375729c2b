package dev.tollgate.agent.instrumentation.awssdk.v2;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.MeteredInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * The execution interceptor every AWS SDK for Java v2 client gets among its global interceptors, whichever HTTP
 * client it sends with (Apache, URL connection, Netty, CRT): it governs Bedrock Runtime's Converse, ConverseStream
 * and (Anthropic) InvokeModel calls and lets every other request pass untouched.
 *
 * <ul>
 *   <li>{@code beforeExecution} (the caller's thread): the caller's run is lent to a carrier kept in the execution's
 *       attributes, so an asynchronous client's attempt, sent from an SDK thread (a retry), counts against the run
 *       that made the call.
 *   <li>{@code beforeTransmission} (each attempt, after signing, just before the bytes go): the call is admitted or
 *       refused. A refusal is thrown as an {@link AwsServiceException} with status 402 and error code
 *       {@code TollgateBudgetExceeded}: the SDK's retry policies retry 5xx, throttling (429 and throttling codes),
 *       clock skew and I/O failures only, and LangChain4j's and Spring AI's mappers treat a 4xx as final.
 *   <li>{@code modifyHttpResponse*}: the response head, then the body on its way to the unmarshaller (a metered
 *       {@code InputStream} for synchronous clients, a metered {@code Publisher} for asynchronous ones). The bytes
 *       are never changed.
 *   <li>{@code afterExecution} / {@code onExecutionFailure}: an attempt that ends without its body having been read
 *       to the end is ended here (a failure before any response releases the call's reservation).
 * </ul>
 *
 * <p>A helper class: defined from the agent's bytes into the class loader of the SDK's
 * {@code ClasspathInterceptorChainFactory}, so it links against that loader's SDK; the agent never loads it itself.
 */
public final class TollgateExecutionInterceptor implements ExecutionInterceptor {
  static final String CLIENT = "aws-sdk";
  /** Request bodies larger than this are not copied for inspection; the length alone is used. */
  static final long MAX_INSPECTED_BODY = dev.tollgate.bootstrap.LlmHttpClient.MAX_INSPECTED_BODY;
  static final String ERROR_CODE = "TollgateBudgetExceeded";
  private static final TollgateExecutionInterceptor INSTANCE = new TollgateExecutionInterceptor();
  /** Unique per defining loader: the SDK refuses two attributes of the same name. */
  private static final ExecutionAttribute<Attempt> ATTEMPT = new ExecutionAttribute<>(
      "dev.tollgate.attempt@" + Integer.toHexString(System.identityHashCode(TollgateExecutionInterceptor.class)));
  /** What the caller's run is lent to for the execution's attempts, which may be sent from other threads. */
  private static final ExecutionAttribute<Object> CARRIER = new ExecutionAttribute<>(
      "dev.tollgate.run@" + Integer.toHexString(System.identityHashCode(TollgateExecutionInterceptor.class)));
  /** The package of Bedrock Runtime's request classes; other services' requests are never looked at. */
  static final String BEDROCK_RUNTIME = "software.amazon.awssdk.services.bedrockruntime.";

  private TollgateExecutionInterceptor() {}

  /**
   * Called by the advice on {@code ClasspathInterceptorChainFactory.getGlobalInterceptors()} with the list it
   * returns: a copy with this interceptor added last among the global ones (the SDK may return an unmodifiable
   * list), or the list itself when it already holds it.
   */
  public static List<ExecutionInterceptor> addTo(List<ExecutionInterceptor> interceptors) {
    List<ExecutionInterceptor> added = new ArrayList<>(interceptors == null ? List.of() : interceptors);
    for (ExecutionInterceptor interceptor : added) {
      if (interceptor instanceof TollgateExecutionInterceptor) {
        return interceptors;
      }
    }
    added.add(INSTANCE);
    return added;
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (!Guard.installed() || context.request() == null
        || !context.request().getClass().getName().startsWith(BEDROCK_RUNTIME)) {
      return;
    }
    // a carrier of our own: ExecutionAttributes' equals and hashCode follow its contents, which change
    Object carrier = new Object();
    attributes.putAttribute(CARRIER, carrier);
    Guard.runLend(carrier);
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!Guard.installed()) {
      return;
    }
    Object answer = null;
    try {
      Attempt previous = attributes.getAttribute(ATTEMPT);
      if (previous != null) {
        // the SDK retries: the attempt before this one failed without reaching the unmarshaller
        previous.end(false, null);
      }
      SdkHttpRequest request = context.httpRequest();
      String path = request.encodedPath();
      if (path == null || path.indexOf("/model/") < 0 || context.request() == null
          || !context.request().getClass().getName().startsWith(BEDROCK_RUNTIME)) {
        return; // not a Bedrock Runtime model operation: nothing to read
      }
      Object resumed = Guard.runResume(attributes.getAttribute(CARRIER));
      try {
        answer = enter(context, request);
      } finally {
        Guard.runRelease(resumed, false, null);
      }
      if (answer instanceof LlmExchange) {
        attributes.putAttribute(ATTEMPT, new Attempt((LlmExchange) answer));
        return;
      }
    } catch (Throwable t) {
      Guard.suppressed(t);
      return;
    }
    if (answer instanceof BlockedCall) {
      RuntimeException refusal = refusal((BlockedCall) answer);
      if (refusal != null) {
        throw refusal; // nothing reaches the network
      }
    }
  }

  @Override
  public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
    SdkHttpResponse response = context.httpResponse();
    Attempt attempt = attributes.getAttribute(ATTEMPT);
    if (attempt != null && response != null && attempt.responded()) {
      Guard.llmResponse(attempt.exchange, response.statusCode(),
          response.firstMatchingHeader("Content-Type").orElse(null),
          response.firstMatchingHeader("Content-Encoding").orElse(null));
    }
    return response;
  }

  @Override
  public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
      ExecutionAttributes attributes) {
    Optional<InputStream> body = context.responseBody();
    Attempt attempt = attributes.getAttribute(ATTEMPT);
    if (attempt == null || body == null || !body.isPresent() || !attempt.wrapping()) {
      return body;
    }
    try {
      long length = context.httpResponse().firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(-1L);
      return Optional.of(new MeteredInputStream(body.get(), attempt.exchange, length));
    } catch (Throwable t) {
      Guard.suppressed(t);
      return body;
    }
  }

  @Override
  public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(Context.ModifyHttpResponse context,
      ExecutionAttributes attributes) {
    Optional<Publisher<ByteBuffer>> body = context.responsePublisher();
    Attempt attempt = attributes.getAttribute(ATTEMPT);
    if (attempt == null || body == null || !body.isPresent() || !attempt.wrapping()) {
      return body;
    }
    try {
      attempt.wrappedPublisher = true;
      return Optional.of(new MeteredPublisher(body.get(), attempt.exchange));
    } catch (Throwable t) {
      Guard.suppressed(t);
      return body;
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    Attempt attempt = attributes.getAttribute(ATTEMPT);
    if (attempt != null && !attempt.wrappedPublisher) {
      // the response was unmarshalled: its JSON body was read whole (an event stream ends in its publisher)
      attempt.end(true, null);
    }
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    Attempt attempt = attributes.getAttribute(ATTEMPT);
    if (attempt != null) {
      attempt.end(false, context.exception());
    }
  }

  private static Object enter(Context.BeforeTransmission context, SdkHttpRequest request) {
    Optional<RequestBody> body = context.requestBody();
    long length = -1;
    byte[] bytes = null;
    if (body != null && body.isPresent()) {
      RequestBody b = body.get();
      length = b.optionalContentLength().orElse(-1L);
      bytes = readRepeatable(b, length);
      if (bytes != null) {
        length = bytes.length;
      }
    } else {
      length = request.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(-1L);
    }
    return Guard.llmEnter(CLIENT, request.method().name(), request.getUri().toString(), bytes, length);
  }

  /**
   * The body's bytes from a new stream of its content provider (the SDK's marshalled JSON: a byte array, read as
   * often as asked). Null when too large, or when reading fails (the call is then governed by its length).
   */
  private static byte[] readRepeatable(RequestBody body, long length) {
    if (length > MAX_INSPECTED_BODY) {
      return null;
    }
    try (InputStream in = body.contentStreamProvider().newStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        if (out.size() > MAX_INSPECTED_BODY) {
          return null;
        }
      }
      return out.toByteArray();
    } catch (Exception e) {
      return null;
    }
  }

  /** The refusal as the exception a Bedrock service error would be, or null (the call goes on) if building fails. */
  private static RuntimeException refusal(BlockedCall blocked) {
    try {
      SdkHttpResponse head = SdkHttpResponse.builder()
          .statusCode(blocked.status())
          .statusText("Payment Required")
          .putHeader("x-amzn-ErrorType", ERROR_CODE)
          .build();
      return AwsServiceException.builder()
          .message(blocked.message())
          .statusCode(blocked.status())
          .awsErrorDetails(AwsErrorDetails.builder()
              .errorCode(ERROR_CODE)
              .errorMessage(blocked.message())
              .serviceName("BedrockRuntime")
              .sdkHttpResponse(head)
              .build())
          .build();
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /** One attempt's admitted exchange and what has been done with its response. */
  static final class Attempt {
    final LlmExchange exchange;
    private boolean responded;
    private boolean wrapped;
    volatile boolean wrappedPublisher;
    private boolean ended;

    Attempt(LlmExchange exchange) {
      this.exchange = exchange;
    }

    /** True the first time only: the response head is shown once. */
    synchronized boolean responded() {
      if (responded) {
        return false;
      }
      responded = true;
      return true;
    }

    /** True the first time only: the SDK asks for both content kinds, and may ask twice; one body is metered. */
    synchronized boolean wrapping() {
      if (wrapped) {
        return false;
      }
      wrapped = true;
      return true;
    }

    void end(boolean complete, Throwable error) {
      synchronized (this) {
        if (ended) {
          return;
        }
        ended = true;
      }
      Guard.llmEnd(exchange, complete, error);
    }
  }
}
