package dev.tollgate.agent.instrumentation.springai.v1_0;

import dev.tollgate.bootstrap.Guard;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscription;
import org.springframework.ai.model.tool.internal.ToolCallReactiveContextHolder;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A streaming Spring AI call as one run. A helper class: defined into the loader of each woven Spring AI type (it
 * links against the host's Reactor and Spring AI), never loaded by the agent itself.
 *
 * <p>The run starts when the stream returned by a streaming entry point ({@code ChatClient…stream()},
 * {@code ChatModel.stream(Prompt)}) is subscribed, and ends when it terminates: complete, error or cancel. Its
 * carrier travels in the subscriber's Reactor {@link Context}, which Reactor hands to every operator upstream,
 * including the {@code Flux.deferContextual(...).subscribeOn(boundedElastic())} in which Spring AI runs the tools
 * (the provider model in 1.x, {@code ToolCallingAdvisor} in 2.0). Spring AI itself publishes that context on the
 * worker thread through {@code ToolCallReactiveContextHolder} around {@code ToolCallingManager.executeToolCalls}
 * (1.1 and later), so the run is resumed there for the tool round and released when it returns.
 *
 * <p>A stream subscribed inside another tracked stream (the model's stream inside a {@code ChatClient} stream, the
 * model called again for each tool round) finds the carrier in its context and joins that run; one subscribed
 * where a run is current (inside a synchronous call or a tool) joins the current run and leaves its end to it.
 */
public final class StreamingRun {
  /** The Reactor context key of the run carrier. */
  static final String KEY = "dev.tollgate.run";

  private StreamingRun() {}

  /** The stream that makes {@code flux} one run when subscribed; {@code flux} itself when the agent is off. */
  public static <T> Flux<T> track(Flux<T> flux) {
    return track(flux, null);
  }

  /** As {@link #track(Flux)}, for a stream of a known conversation: the run's session. */
  public static <T> Flux<T> track(Flux<T> flux, String session) {
    if (flux == null || !Guard.installed()) {
      return flux;
    }
    return new Tracked<>(flux, session);
  }

  /**
   * Makes the run of the stream whose tool round is executing on this thread current here: Spring AI has put that
   * stream's Reactor context in {@code ToolCallReactiveContextHolder}. Returns a token for
   * {@link Guard#runRelease}, or null (no streaming run, a run already current, Spring AI before 1.1).
   */
  public static Object resumeForTools() {
    if (!Holder.PRESENT) {
      return null;
    }
    ContextView context = ToolCallReactiveContextHolder.getContext();
    Object carrier = context == null ? null : context.getOrDefault(KEY, null);
    return carrier == null ? null : Guard.runResume(carrier);
  }

  /** Whether this Spring AI has {@code ToolCallReactiveContextHolder} (1.1 and later). */
  private static final class Holder {
    static final boolean PRESENT = present();

    private static boolean present() {
      try {
        Class.forName("org.springframework.ai.model.tool.internal.ToolCallReactiveContextHolder", false,
            StreamingRun.class.getClassLoader());
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }
  }

  /** Identifies one streaming run; compared by identity. */
  static final class Carrier {
    @Override
    public String toString() {
      return "spring-ai streaming run";
    }
  }

  static final class Tracked<T> extends FluxOperator<T, T> {
    private final String session;

    Tracked(Flux<? extends T> source, String session) {
      super(source);
      this.session = session;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
      if (actual.currentContext().hasKey(KEY)) {
        source.subscribe(actual); // inside a tracked stream: its run
        return;
      }
      Object token = Guard.runEnter(SpringAiInstrumentationModule.FRAMEWORK, session);
      Carrier carrier = new Carrier();
      Guard.runBind(carrier); // the new run, or the run current here (which then ends elsewhere)
      try {
        // the run stays current while the upstream subscribes on this thread (a model may start work here)
        source.subscribe(new RunSubscriber<>(actual, carrier, token));
      } finally {
        Guard.runDetach(token, null);
      }
    }
  }

  /** Passes every signal through; ends the run it started on the first terminal signal or cancel. */
  static final class RunSubscriber<T> implements CoreSubscriber<T>, Subscription {
    private final CoreSubscriber<? super T> actual;
    private final Context context;
    private final Object token;
    private final AtomicBoolean ended = new AtomicBoolean();
    private Subscription upstream;

    RunSubscriber(CoreSubscriber<? super T> actual, Carrier carrier, Object token) {
      this.actual = actual;
      this.context = actual.currentContext().put(KEY, carrier);
      this.token = token;
    }

    @Override
    public Context currentContext() {
      return context;
    }

    @Override
    public void onSubscribe(Subscription s) {
      upstream = s;
      actual.onSubscribe(this);
    }

    @Override
    public void onNext(T t) {
      actual.onNext(t);
    }

    @Override
    public void onError(Throwable t) {
      Throwable halt = end(t);
      actual.onError(halt != null ? halt : t);
    }

    @Override
    public void onComplete() {
      // a halt that something on the way turned into a normal end still ends the stream with it
      Throwable halt = end(null);
      if (halt != null) {
        actual.onError(halt);
      } else {
        actual.onComplete();
      }
    }

    @Override
    public void request(long n) {
      upstream.request(n);
    }

    @Override
    public void cancel() {
      try {
        upstream.cancel();
      } finally {
        end(null);
      }
    }

    private Throwable end(Throwable thrown) {
      if (token == null || !ended.compareAndSet(false, true)) {
        return null;
      }
      return Guard.runExit(token, thrown);
    }
  }
}
