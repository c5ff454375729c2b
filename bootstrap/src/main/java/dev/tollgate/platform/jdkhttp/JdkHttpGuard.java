package dev.tollgate.platform.jdkhttp;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
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
   * return instead of sending (a blocked call, or the failure of a one-shot body that could not be read ahead).
   */
  public static Object enter(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
    if (request == null || handler == null) {
      return null;
    }
    LlmHttpClient.Admitted<Sent, CompletableFuture<?>> admitted = Calls.INSTANCE.admit(new Sent(request, handler));
    if (admitted == null) {
      return null;
    }
    if (admitted.refusal != null) {
      return admitted.refusal;
    }
    if (admitted.unreadable != null) {
      return CompletableFuture.failedFuture(admitted.unreadable);
    }
    HttpRequest send = admitted.request.request;
    if (admitted.exchange != null) {
      return new Replacement(send, new MeteredBodyHandler<>(handler, admitted.exchange));
    }
    return new Replacement(send, handler);
  }

  /** A request with the handler its response will go to: the refusal is built for that handler. */
  static final class Sent {
    final HttpRequest request;
    final HttpResponse.BodyHandler<?> handler;

    Sent(HttpRequest request, HttpResponse.BodyHandler<?> handler) {
      this.request = request;
      this.handler = handler;
    }
  }

  /**
   * The JDK client's side of the {@link LlmHttpClient} template. Its metered body is chosen before sending (the
   * app's handler wrapped in a {@link MeteredBodyHandler}, which reports the response head and bytes), so
   * {@link LlmHttpClient#respond} is not used here and the response getters are never asked.
   */
  static final class Calls extends LlmHttpClient<Sent, CompletableFuture<?>> {
    static final Calls INSTANCE = new Calls();

    private Calls() {
      super(CLIENT);
    }

    @Override
    protected String method(Sent sent) {
      return sent.request.method();
    }

    @Override
    protected String uri(Sent sent) {
      return sent.request.uri().toString();
    }

    @Override
    protected long bodyLength(Sent sent) {
      HttpRequest.BodyPublisher publisher = sent.request.bodyPublisher().orElse(null);
      return publisher == null ? 0 : publisher.contentLength();
    }

    /**
     * {@code BodyPublishers.ofString/ofByteArray} (what LangChain4j, the MCP SDK and most callers use) serve every
     * subscriber the same bytes synchronously. Any other publisher may be one-shot (an InputStream, a file being
     * written): it is read ahead only for an LLM call, and then replaced.
     */
    @Override
    protected boolean bodyRepeatable(Sent sent) {
      String type = sent.request.bodyPublisher().get().getClass().getName();
      return type.equals(BYTE_ARRAY_PUBLISHER) || type.equals(STRING_PUBLISHER);
    }

    @Override
    protected void writeBody(Sent sent, java.io.OutputStream out) throws Exception {
      HttpRequest.BodyPublisher publisher = sent.request.bodyPublisher().get();
      byte[] bytes = bodyRepeatable(sent) ? readRepeatable(publisher) : drain(publisher);
      if (bytes == null) {
        throw new java.io.IOException(
            "tollgate: the request body of an LLM call was not produced within " + DRAIN_TIMEOUT_SECONDS + " s");
      }
      out.write(bytes);
    }

    /** A streaming publisher (Spring's JDK request factories, WebClient's JDK connector) is read ahead once. */
    @Override
    protected boolean canResend(Sent sent) {
      return true;
    }

    @Override
    protected Sent withBody(Sent sent, byte[] body) {
      HttpRequest copy = HttpRequest.newBuilder(sent.request, (name, value) -> true)
          .method(sent.request.method(), HttpRequest.BodyPublishers.ofByteArray(body)).build();
      return new Sent(copy, sent.handler);
    }

    @Override
    protected CompletableFuture<?> refusal(Sent sent, BlockedCall blocked) {
      return BlockedResponses.respond(sent.request, sent.handler, blocked);
    }

    @Override
    protected int status(CompletableFuture<?> response) {
      throw new UnsupportedOperationException("metered by MeteredBodyHandler");
    }

    @Override
    protected String header(CompletableFuture<?> response, String name) {
      throw new UnsupportedOperationException("metered by MeteredBodyHandler");
    }

    @Override
    protected CompletableFuture<?> metered(Sent sent, CompletableFuture<?> response, LlmExchange exchange) {
      throw new UnsupportedOperationException("metered by MeteredBodyHandler");
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
   * The body of a publisher that serves every subscriber the same bytes synchronously, read through a subscription
   * of our own; null if it did not after all.
   */
  static byte[] readRepeatable(HttpRequest.BodyPublisher publisher) {
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
