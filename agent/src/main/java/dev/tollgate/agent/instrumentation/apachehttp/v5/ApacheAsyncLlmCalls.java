package dev.tollgate.agent.instrumentation.apachehttp.v5;

import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.BasicEntityDetails;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Apache HttpClient 5 async's side of the {@link LlmHttpClient} template, for the advice on
 * {@code InternalAbstractHttpAsyncClient.doExecute(HttpHost, AsyncRequestProducer, AsyncResponseConsumer,
 * HandlerFactory, HttpContext, FutureCallback)}, where every {@code execute} of the clients the builders make ends,
 * once per logical request (redirects and retries happen below it). Ktor's Apache 5 engine (Koog's default) and
 * apps that call providers with {@code CloseableHttpAsyncClient} go through it.
 *
 * <p>The request is the producer's head (asked for once, through a capturing {@link RequestChannel}) and its body,
 * produced ahead into memory when the call is an LLM call: a producer may write from another thread (Ktor's
 * writes from a coroutine and asks for output when it has more), so producing waits for it, at most
 * {@link #STALL_MILLIS} without progress. The producer sent is a replay: the bytes produced ahead, then whatever the
 * original has left (nothing, unless producing stalled or passed the cap; then the call is governed by its length).
 * The response reaches the app's consumer unchanged; a wrapper shows its body to the exchange as it passes and ends
 * the exchange at the stream's end, on failure, or when the consumer is released first. A refused call never
 * executes: the app's consumer gets the provider-format error as the response, and the future it completes.
 */
public final class ApacheAsyncLlmCalls
    extends LlmHttpClient<ApacheAsyncLlmCalls.Target, ApacheAsyncLlmCalls.Head> {
  private static final ApacheAsyncLlmCalls INSTANCE = new ApacheAsyncLlmCalls();

  /** How long producing a request body ahead waits for a producer that has written nothing new. */
  static final long STALL_MILLIS = 10_000;

  private ApacheAsyncLlmCalls() {
    super("apache-httpclient5-async");
  }

  /** The request: the target, the producer, and its head and body once asked for. */
  public static final class Target {
    final HttpHost host;
    final AsyncRequestProducer producer;
    final HttpContext context;
    private HttpRequest head;
    private EntityDetails entity;
    private Produced produced;

    Target(HttpHost host, AsyncRequestProducer producer, HttpContext context) {
      this.host = host;
      this.producer = producer;
      this.context = context;
    }

    HttpRequest head() throws Exception {
      if (head == null) {
        producer.sendRequest(new RequestChannel() {
          @Override
          public void sendRequest(HttpRequest request, EntityDetails entityDetails, HttpContext ctx) {
            head = request;
            entity = entityDetails;
          }
        }, context);
        if (head == null) {
          throw new IllegalStateException("the request producer sent no request head");
        }
      }
      return head;
    }

    /** The producer to execute: the replay of what was produced ahead, or the app's own. */
    AsyncRequestProducer toSend() {
      return produced == null ? producer : new Replay(producer, produced);
    }
  }

  /** The response head the app's consumer gets, and whether its body is metered. */
  public static final class Head {
    final HttpResponse response;
    final EntityDetails entity;
    final boolean metered;
    /** A refusal's body; null for a response from the provider. */
    final byte[] body;

    Head(HttpResponse response, EntityDetails entity, boolean metered, byte[] body) {
      this.response = response;
      this.entity = entity;
      this.metered = metered;
      this.body = body;
    }
  }

  /** A refusal: what the app's consumer gets instead of executing. */
  public static final class Answer {
    final Head refusal;
    final byte[] body;

    Answer(Head refusal, byte[] body) {
      this.refusal = refusal;
      this.body = body;
    }
  }

  /** Producer and consumer to execute with, and the admitted call. */
  public static final class Call {
    public final AsyncRequestProducer producer;
    public final AsyncResponseConsumer<?> consumer;
    final Admitted<Target, Head> admitted;

    Call(AsyncRequestProducer producer, AsyncResponseConsumer<?> consumer, Admitted<Target, Head> admitted) {
      this.producer = producer;
      this.consumer = consumer;
      this.admitted = admitted;
    }
  }

  /**
   * Null (execute untouched), an {@link Answer} (do not execute: {@link #refuse} answers), or a {@link Call} whose
   * producer and consumer replace the app's.
   */
  public static Object enter(HttpHost host, AsyncRequestProducer producer, AsyncResponseConsumer<?> consumer,
      HttpContext context) {
    if (producer == null || consumer == null) {
      return null;
    }
    Target target = new Target(host, producer, context);
    Admitted<Target, Head> admitted = INSTANCE.admit(target);
    if (admitted == null) {
      return null;
    }
    try {
      if (admitted.refusal != null) {
        return new Answer(admitted.refusal, admitted.refusal.body);
      }
      AsyncRequestProducer send = target.toSend();
      AsyncResponseConsumer<?> receive =
          admitted.exchange == null ? consumer : new Metered<>(consumer, admitted);
      return new Call(send, receive, admitted);
    } catch (Throwable t) {
      Guard.suppressed(t);
      if (admitted.exchange != null) {
        Guard.llmEnd(admitted.exchange, false, t);
      }
      return null;
    }
  }

  /** The send failed before the client took the call ({@code doExecute} threw): the exchange ends. */
  public static void thrown(Object entered, Throwable thrown) {
    if (entered instanceof Call && thrown != null) {
      INSTANCE.respond(((Call) entered).admitted, null, thrown);
    }
  }

  /** Answers a refused call through the app's consumer and callback; the future {@code doExecute} returns. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Future<?> refuse(Object entered, AsyncRequestProducer producer, AsyncResponseConsumer consumer,
      HttpContext context, FutureCallback callback) {
    Answer answer = (Answer) entered;
    BasicFuture future = new BasicFuture(callback);
    try {
      consumer.consumeResponse(answer.refusal.response, answer.refusal.entity, context, new FutureCallback() {
        @Override
        public void completed(Object result) {
          future.completed(result);
        }

        @Override
        public void failed(Exception ex) {
          future.failed(ex);
        }

        @Override
        public void cancelled() {
          future.cancel();
        }
      });
      consumer.updateCapacity(new CapacityChannel() {
        @Override
        public void update(int increment) {}
      });
      consumer.consume(ByteBuffer.wrap(answer.body));
      consumer.streamEnd(null);
    } catch (Exception e) {
      consumer.failed(e);
      future.failed(e);
    } finally {
      consumer.releaseResources();
      producer.releaseResources();
    }
    return future;
  }

  // ---- the request

  @Override
  protected String method(Target t) throws Exception {
    return t.head().getMethod();
  }

  @Override
  protected String uri(Target t) throws Exception {
    HttpRequest head = t.head();
    String uri = head.getUri().toString();
    if (!uri.startsWith("http")) {
      HttpHost host = t.host;
      if (host == null && head.getAuthority() != null) {
        host = new HttpHost(head.getScheme() == null ? "http" : head.getScheme(), head.getAuthority().getHostName(),
            head.getAuthority().getPort());
      }
      if (host != null) {
        uri = host.toURI() + head.getRequestUri();
      }
    }
    return uri;
  }

  /** Produces the body ahead (only ever called for an LLM call) and says how long it turned out. */
  @Override
  protected long bodyLength(Target t) throws Exception {
    t.head();
    if (t.entity == null) {
      return 0;
    }
    t.produced = Produced.from(t.producer, MAX_INSPECTED_BODY);
    return t.produced.complete ? t.produced.bytes.length : t.entity.getContentLength();
  }

  @Override
  protected boolean bodyRepeatable(Target t) {
    return t.produced != null && t.produced.complete;
  }

  @Override
  protected void writeBody(Target t, OutputStream out) throws IOException {
    out.write(t.produced.bytes);
  }

  // ---- the response

  @Override
  protected int status(Head head) {
    return head.response.getCode();
  }

  @Override
  protected String header(Head head, String name) {
    if (head.entity != null && "Content-Type".equals(name)) {
      return head.entity.getContentType();
    }
    if (head.entity != null && "Content-Encoding".equals(name)) {
      return head.entity.getContentEncoding();
    }
    Header header = head.response.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  @Override
  protected Head refusal(Target t, BlockedCall blocked) {
    BasicHttpResponse response = new BasicHttpResponse(blocked.status(), reason(blocked.status()));
    for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
      response.addHeader(h.getKey(), h.getValue());
    }
    byte[] body = blocked.body();
    response.addHeader("Content-Length", Integer.toString(body.length));
    return new Head(response, new BasicEntityDetails(body.length, ContentType.APPLICATION_JSON), false, body);
  }

  @Override
  protected Head metered(Target t, Head head, LlmExchange exchange) {
    return head.entity == null ? null : new Head(head.response, head.entity, true, null);
  }

  // ---- producing ahead, and the replay

  /** What a producer wrote ahead: its bytes, whether it ended, and the error it failed with. */
  static final class Produced implements DataStreamChannel {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    private final long cap;
    byte[] bytes;
    boolean complete;
    private boolean ended;
    private List<? extends Header> trailers;
    private boolean outputRequested;
    IOException failure;

    private Produced(long cap) {
      this.cap = cap;
    }

    static Produced from(AsyncRequestProducer producer, long cap) throws InterruptedException {
      Produced p = new Produced(cap);
      p.drain(producer);
      return p;
    }

    private void drain(AsyncRequestProducer producer) throws InterruptedException {
      long quietSince = System.nanoTime();
      try {
        while (!ended && out.size() <= cap) {
          int before = out.size();
          synchronized (this) {
            outputRequested = false;
          }
          producer.produce(this);
          if (ended || out.size() > cap) {
            break;
          }
          if (out.size() > before) {
            quietSince = System.nanoTime();
            continue;
          }
          synchronized (this) {
            long left = STALL_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietSince);
            while (!outputRequested && left > 0) {
              wait(Math.min(left, 50));
              left = STALL_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietSince);
            }
            if (!outputRequested) {
              break; // stalled: send what we have, then let the producer go on by itself
            }
          }
        }
      } catch (IOException e) {
        failure = e; // the app's own body failed: the replay fails the call with it, after what was written
      } catch (RuntimeException e) {
        failure = new IOException(e);
      }
      bytes = out.toByteArray();
      complete = ended && failure == null && bytes.length <= cap;
    }

    @Override
    public synchronized void requestOutput() {
      outputRequested = true;
      notifyAll();
    }

    @Override
    public int write(ByteBuffer src) {
      int n = src.remaining();
      if (src.hasArray()) {
        out.write(src.array(), src.arrayOffset() + src.position(), n);
        src.position(src.limit());
      } else {
        byte[] chunk = new byte[n];
        src.get(chunk);
        out.write(chunk, 0, n);
      }
      return n;
    }

    @Override
    public void endStream(List<? extends Header> trailers) {
      this.trailers = trailers;
      ended = true;
    }

    @Override
    public void endStream() {
      endStream(null);
    }
  }

  /**
   * The producer executed in place of the app's: the same head, the bytes produced ahead, then (only when producing
   * ahead stopped early) the rest from the app's producer. Repeatable when the whole body was produced ahead.
   */
  static final class Replay implements AsyncRequestProducer {
    private final AsyncRequestProducer original;
    private final Produced produced;
    private ByteBuffer pending;

    Replay(AsyncRequestProducer original, Produced produced) {
      this.original = original;
      this.produced = produced;
      this.pending = ByteBuffer.wrap(produced.bytes);
    }

    @Override
    public void sendRequest(RequestChannel channel, HttpContext context) throws HttpException, IOException {
      original.sendRequest(channel, context);
    }

    @Override
    public boolean isRepeatable() {
      return produced.complete;
    }

    @Override
    public void failed(Exception cause) {
      original.failed(cause);
    }

    @Override
    public synchronized int available() {
      if (pending.hasRemaining()) {
        return pending.remaining();
      }
      return produced.ended || produced.failure != null ? 0 : original.available();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      synchronized (this) {
        if (pending.hasRemaining()) {
          channel.write(pending);
          if (pending.hasRemaining()) {
            channel.requestOutput();
            return;
          }
        }
      }
      if (produced.failure != null) {
        throw produced.failure;
      }
      if (produced.ended) {
        channel.endStream(produced.trailers);
        return;
      }
      original.produce(channel);
    }

    @Override
    public synchronized void releaseResources() {
      if (produced.complete) {
        pending = ByteBuffer.wrap(produced.bytes); // a retry sends the same bytes again
      }
      original.releaseResources();
    }
  }

  // ---- the response, metered as it passes

  /** The app's consumer, its body shown to the exchange as it passes; the exchange ends once. */
  static final class Metered<T> implements AsyncResponseConsumer<T> {
    private final AsyncResponseConsumer<T> app;
    private final Admitted<Target, Head> admitted;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean metering;

    Metered(AsyncResponseConsumer<T> app, Admitted<Target, Head> admitted) {
      this.app = app;
      this.admitted = admitted;
    }

    private void end(boolean complete, Throwable error) {
      if (ended.compareAndSet(false, true)) {
        Guard.llmEnd(admitted.exchange, complete, error);
      }
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entity, HttpContext context,
        FutureCallback<T> callback) throws HttpException, IOException {
      Head head = INSTANCE.respond(admitted, new Head(response, entity, false, null), null);
      metering = head != null && head.metered;
      if (!metering) {
        ended.set(true); // the template ended it: no body to meter
      }
      app.consumeResponse(response, entity, context, callback);
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) throws HttpException, IOException {
      app.informationResponse(response, context);
    }

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      app.updateCapacity(channel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
      if (metering && !ended.get()) {
        Guard.llmBytes(admitted.exchange, src.duplicate());
      }
      app.consume(src);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
      end(true, null);
      app.streamEnd(trailers);
    }

    @Override
    public void failed(Exception cause) {
      end(false, cause);
      app.failed(cause);
    }

    @Override
    public void releaseResources() {
      end(false, null);
      app.releaseResources();
    }
  }
}
