package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import dev.tollgate.bootstrap.Guard;
import io.smallrye.mutiny.Multi;
import java.util.concurrent.Flow;

/**
 * A streamed AI-service call ({@code Multi<String>}) is a run that outlives {@code implement}: the model is called
 * when the app subscribes, often on another thread, and the stream ends later still. The run is detached from the
 * thread that called the service and tied to the returned stream: it is current while the subscription starts (the
 * model request is made and lent its run there), and it ends when the stream completes, fails or is cancelled. A
 * helper class, defined into the loader of quarkus-langchain4j; contains its own exceptions.
 */
public final class QuarkusStreamingRun {
  private QuarkusStreamingRun() {}

  /**
   * The stream to return instead of {@code multi}, carrying the run {@code implement} began ({@code run}, the token
   * of its {@code runEnter}); {@code multi} itself when there is no run of its own (the call joined an outer run,
   * which goes on, or the agent is off).
   */
  public static Object follow(Object multi, Object run) {
    if (run == null || !(multi instanceof Multi)) {
      return null;
    }
    try {
      Object carrier = new Object();
      Guard.runBind(carrier);
      Guard.runDetach(run, null);
      Multi<?> upstream = (Multi<?>) multi;
      return carry(upstream, carrier);
    } catch (Throwable t) {
      Guard.suppressed(t);
      return null;
    }
  }

  private static <T> Multi<T> carry(Multi<T> upstream, Object carrier) {
    Flow.Publisher<T> inRun = subscriber -> {
      Object resumed = Guard.runResume(carrier);
      try {
        upstream.subscribe(subscriber);
      } finally {
        Guard.runRelease(resumed, false, null);
      }
    };
    return Multi.createFrom().publisher(inRun).onTermination().invoke((failure, cancelled) -> {
      Object resumed = Guard.runResume(carrier);
      Guard.runRelease(resumed, true, failure);
    });
  }
}
