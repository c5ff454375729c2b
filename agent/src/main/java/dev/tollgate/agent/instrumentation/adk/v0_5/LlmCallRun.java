package dev.tollgate.agent.instrumentation.adk.v0_5;

import com.google.adk.agents.InvocationContext;
import dev.tollgate.bootstrap.Guard;
import io.reactivex.rxjava3.core.Flowable;
import org.reactivestreams.Subscriber;

/**
 * A model call's {@code Flowable} that, while it is being subscribed, makes its ADK invocation's run current on
 * the subscribing thread (the run bound to the runner's session service, as for a sub-agent behind an
 * {@code AgentTool}, else the run known by the invocation id, as tools find it) and names the ADK session as the
 * run's conversation. The request leaves during that subscription; the run is taken off the thread after it.
 *
 * <p>A helper class: defined into the loader of ADK's {@code BaseLlmFlow}, linking against its RxJava.
 */
public final class LlmCallRun<T> extends Flowable<T> {
  private final Flowable<T> source;
  private final Object sessionService;
  private final String invocationId;
  private final String session;

  private LlmCallRun(Flowable<T> source, Object sessionService, String invocationId, String session) {
    this.source = source;
    this.sessionService = sessionService;
    this.invocationId = invocationId;
    this.session = session;
  }

  /** {@code source} wrapped for the invocation among {@code callLlm}'s arguments; as it is when none is. */
  public static <T> Flowable<T> wrap(Flowable<T> source, Object[] args) {
    if (source == null || args == null || source instanceof LlmCallRun) {
      return source;
    }
    for (Object arg : args) {
      if (arg instanceof InvocationContext) {
        InvocationContext context = (InvocationContext) arg;
        String invocationId = context.invocationId();
        if (invocationId == null) {
          return source;
        }
        return new LlmCallRun<>(source, context.sessionService(), invocationId,
            context.session() == null ? null : context.session().id());
      }
    }
    return source;
  }

  @Override
  protected void subscribeActual(Subscriber<? super T> subscriber) {
    Object joined = Guard.runJoin("google-adk", sessionService, invocationId, session);
    try {
      source.subscribe(subscriber);
    } finally {
      Guard.runRelease(joined, false, null);
    }
  }
}
