package dev.tollgate.agent.instrumentation.okhttp;

import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.IOException;
import java.util.List;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The application interceptor every {@code OkHttpClient} gets at index 0 of its interceptors: it runs once per
 * call, before the app's own interceptors, google-genai's {@code RetryInterceptor} and OkHttp's retries and
 * redirects, and sees bodies after OkHttp's transparent gunzip.
 *
 * <p>A helper class: defined from the agent's bytes into each class loader that loads {@code OkHttpClient}, so it
 * links against that loader's OkHttp; the agent never loads it itself. Everything here that is ours contains its
 * own exceptions (counted by {@link Guard#suppressed}): when metering fails the call goes on as if we were not
 * there. Exceptions of the call itself reach the app as they are.
 */
public final class TollgateInterceptor implements Interceptor {
  private static final TollgateInterceptor INSTANCE = new TollgateInterceptor();

  private TollgateInterceptor() {}

  /**
   * Called by the advice on {@code OkHttpClient(Builder)} with the builder's live interceptor list: adds the
   * interceptor at index 0 unless it is there already ({@code newBuilder()} copies the interceptors of the client
   * it came from).
   */
  public static void addTo(List<Interceptor> interceptors) {
    if (interceptors == null) {
      return;
    }
    for (Interceptor interceptor : interceptors) {
      if (interceptor instanceof TollgateInterceptor) {
        return;
      }
    }
    interceptors.add(0, INSTANCE);
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (!Guard.installed()) {
      return chain.proceed(request);
    }
    if (Guard.llmOuterResume(request)) {
      // an outer layer (azure-core's pipeline) governs this enqueued call: it was counted there
      try {
        return chain.proceed(request);
      } finally {
        Guard.llmOuterExit();
      }
    }
    // an enqueued call runs here on OkHttp's dispatcher: the run that sent it was lent to its request
    Object resumed = Guard.runResume(request);
    LlmHttpClient.Admitted<Request, Response> admitted;
    try {
      admitted = OkHttpLlmCalls.INSTANCE.admit(request);
    } finally {
      Guard.runRelease(resumed, false, null);
    }
    if (admitted == null) {
      return chain.proceed(request);
    }
    if (admitted.refusal != null) {
      return admitted.refusal; // nothing reaches the network
    }
    if (admitted.unreadable != null) {
      throw admitted.unreadable instanceof IOException ? (IOException) admitted.unreadable
          : new IOException(admitted.unreadable.getMessage(), admitted.unreadable);
    }
    Response response;
    try {
      response = chain.proceed(admitted.request);
    } catch (IOException | RuntimeException | Error e) {
      OkHttpLlmCalls.INSTANCE.respond(admitted, null, e);
      throw e;
    }
    return OkHttpLlmCalls.INSTANCE.respond(admitted, response, null);
  }
}
