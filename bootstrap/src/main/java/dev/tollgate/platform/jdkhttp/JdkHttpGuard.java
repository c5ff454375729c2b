package dev.tollgate.platform.jdkhttp;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * What the advice woven into the JDK's {@code HttpClientImpl.sendAsync} calls: every {@code send} and
 * {@code sendAsync} of {@code java.net.http.HttpClient} passes through that one private method, once per logical
 * request (redirects and HTTP/2 upgrades happen below it).
 *
 * <p>Defined in the platform class loader (not the boot loader), because it implements {@code java.net.http}
 * interfaces that the boot loader cannot see; the agent adds a read edge from {@code java.net.http} to this
 * loader's unnamed module. Every method contains its own exceptions: the host's request goes on untouched when
 * something here fails.
 */
public final class JdkHttpGuard {
  static final String CLIENT = "jdk-httpclient";
  /** Request bodies larger than this are not copied for inspection; the length alone is used. */
  static final int MAX_INSPECTED_BODY = 32 * 1024 * 1024;
  private static final String BYTE_ARRAY_PUBLISHER = "jdk.internal.net.http.RequestPublishers$ByteArrayPublisher";
  private static final String STRING_PUBLISHER = "jdk.internal.net.http.RequestPublishers$StringPublisher";

  private JdkHttpGuard() {}

  /**
   * The JDK-internal interface of the body subscribers its client runs inline (see {@link #useTrustedSubscribers});
   * a compile-time constant, so the agent names it without loading this class.
   */
  public static final String TRUSTED_SUBSCRIBER = "jdk.internal.net.http.ResponseSubscribers$TrustedSubscriber";

  /** How long a one-shot request body of an LLM call may take to be produced before it is sent. */
  static final long DRAIN_TIMEOUT_SECONDS = 30;

  /** What the advice substitutes for the method's arguments: the request to send and the handler to use. */
  public static final class Replacement {
    private final HttpRequest request;
    private final HttpResponse.BodyHandler<?> handler;

    Replacement(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
      this.request = request;
      this.handler = handler;
    }

    public HttpRequest request() {
      return request;
    }

    public HttpResponse.BodyHandler<?> handler() {
      return handler;
    }
  }

  /**
   * Returns null to send the request as it is, a {@link Replacement} to send instead (the app's handler, metered;
   * the same request, or a copy of it whose one-shot body was read ahead), or the {@link CompletableFuture} to
   * return instead of sending (a blocked call).
   */
  public static Object enter(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
    if (request == null || handler == null || !Guard.installed()) {
      return null;
    }
    try {
      String uri = request.uri().toString();
      HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElse(null);
      long length = publisher == null ? 0 : publisher.contentLength();
      byte[] body = publisher == null ? new byte[0] : readRepeatable(publisher, length);
      HttpRequest send = request;
      if (body == null && length <= MAX_INSPECTED_BODY && Guard.llmRecognized(request.method(), uri)) {
        // a streaming publisher (Spring's JDK request factories, WebClient's JDK connector): read the body
        // ahead once, and send those same bytes
        body = drain(publisher);
        if (body == null) {
          return CompletableFuture.failedFuture(new java.io.IOException(
              "tollgate: the request body of an LLM call was not produced within " + DRAIN_TIMEOUT_SECONDS + " s"));
        }
        send = HttpRequest.newBuilder(request, (name, value) -> true)
            .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(body)).build();
        length = body.length;
      }
      Object answer = Guard.llmEnter(CLIENT, request.method(), uri, body, length);
      if (answer instanceof LlmExchange) {
        return new Replacement(send, new MeteredBodyHandler<>(handler, (LlmExchange) answer));
      }
      if (answer instanceof BlockedCall) {
        return BlockedResponses.respond(request, handler, (BlockedCall) answer);
      }
      return send == request ? null : new Replacement(send, handler);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  /**
   * Called by the agent (reflectively: it cannot see this loader's classes) once it has defined {@code type}, a
   * subclass of {@code MeteredBodyHandler.Subscriber} that implements the JDK's {@code TrustedSubscriber}, and has
   * exported {@code jdk.internal.net.http} to this loader. From then on metered responses are delivered on the
   * thread that read them, as the app's own subscriber's would be.
   */
  public static void useTrustedSubscribers(Class<?> type) throws ReflectiveOperationException {
    java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
    Class<?> trusted = Class.forName(TRUSTED_SUBSCRIBER, false, HttpResponse.class.getClassLoader());
    MeteredBodyHandler.needsExecutor = lookup.findStatic(trusted, "needsExecutor",
        java.lang.invoke.MethodType.methodType(boolean.class, HttpResponse.BodySubscriber.class));
    MeteredBodyHandler.trustedSubscribers = lookup.findConstructor(type, java.lang.invoke.MethodType.methodType(
        void.class, HttpResponse.BodySubscriber.class, MeteredBodyHandler.class));
  }

  /** Subscribes to a one-shot publisher and waits for all of its bytes; null if it fails or takes too long. */
  static byte[] drain(HttpRequest.BodyPublisher publisher) throws InterruptedException {
    Collector collector = new Collector();
    publisher.subscribe(collector);
    if (!collector.finished.await(DRAIN_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
      return null;
    }
    return collector.bytes();
  }

  /** After {@code sendAsync} returned (or threw): a failed exchange releases its reservation. */
  public static void exit(HttpResponse.BodyHandler<?> handler, CompletableFuture<?> result, Throwable thrown) {
    if (!(handler instanceof MeteredBodyHandler)) {
      return;
    }
    try {
      ((MeteredBodyHandler<?>) handler).watch(result, thrown);
    } catch (Throwable t) {
      Guard.suppressed(t);
    }
  }

  /**
   * The body of {@code BodyPublishers.ofString/ofByteArray} (the publishers LangChain4j, the MCP SDK and most
   * callers use), read through a subscription of our own: those publishers serve every subscriber the same bytes
   * synchronously. Any other publisher may be one-shot (an InputStream, a file being written), so it is never
   * subscribed to: null, and the caller estimates from the length.
   */
  static byte[] readRepeatable(HttpRequest.BodyPublisher publisher, long length) {
    String type = publisher.getClass().getName();
    if (!(type.equals(BYTE_ARRAY_PUBLISHER) || type.equals(STRING_PUBLISHER)) || length > MAX_INSPECTED_BODY) {
      return null;
    }
    Collector collector = new Collector();
    publisher.subscribe(collector);
    return collector.bytes();
  }

  private static final class Collector implements Flow.Subscriber<ByteBuffer> {
    private final List<ByteBuffer> parts = java.util.Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean done;
    private volatile boolean failed;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {
      parts.add(item.duplicate());
    }

    @Override
    public void onError(Throwable throwable) {
      failed = true;
      finished.countDown();
    }

    @Override
    public void onComplete() {
      done = true;
      finished.countDown();
    }

    byte[] bytes() {
      if (!done || failed) {
        return null; // not delivered synchronously after all: do not guess
      }
      int total = 0;
      List<ByteBuffer> parts = new ArrayList<>(this.parts);
      for (ByteBuffer b : parts) {
        total += b.remaining();
      }
      byte[] out = new byte[total];
      int at = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(out, at, n);
        at += n;
      }
      return out;
    }
  }
}
