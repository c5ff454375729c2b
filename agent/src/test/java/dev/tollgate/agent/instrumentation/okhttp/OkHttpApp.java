package dev.tollgate.agent.instrumentation.okhttp;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * An app using OkHttp, seen through JDK types only, so the same app code ({@link OkHttpAppImpl}, compiled against
 * OkHttp 4.12) can run against OkHttp 4 on the test class path and against OkHttp 5 in a loader of its own.
 */
public interface OkHttpApp {
  /** {@code okhttp3.OkHttp.VERSION} as the app sees it. */
  String version();

  /**
   * The interceptor class names of a new client, of {@code client.newBuilder().build()}, and of a client built
   * with an interceptor of the app's own.
   */
  List<List<String>> interceptorNames();

  /** The name of the class loader that defined the first interceptor of a new client. */
  String interceptorLoader();

  /**
   * One call. Reads the body in pieces of {@code chunk} bytes, at most about {@code limit} bytes (all of it when
   * negative), then closes the response.
   */
  Reply call(String method, String url, byte[] body, int chunk, int limit) throws IOException;

  /** What the app got; header names in lower case. */
  record Reply(int status, String message, Map<String, String> headers, byte[] read, String bodyClass) {}
}
