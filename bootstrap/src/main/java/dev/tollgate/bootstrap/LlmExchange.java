package dev.tollgate.bootstrap;

import java.nio.ByteBuffer;

/**
 * One admitted LLM call in flight, as an HTTP-client instrumentation sees it: the response head, then the body's
 * bytes exactly as the app reads them, then the end. Implemented by the agent; callers go through
 * {@link Guard#llmResponse}, {@link Guard#llmBytes} and {@link Guard#llmEnd}, which contain any exception.
 */
public interface LlmExchange {
  /** The response head arrived. */
  void response(int status, String contentType, String contentEncoding);

  /** Body bytes between {@code position} and {@code limit}; must not move the buffer's position. */
  void bytes(ByteBuffer bytes);

  /**
   * Body bytes. The array may be the HTTP client's own buffer (OkHttp hands over its segments): valid only during
   * the call, and never to be written to.
   */
  void bytes(byte[] bytes, int offset, int length);

  /**
   * The exchange is over: {@code complete} when the body was read to its end, false when it failed, was
   * cancelled or abandoned ({@code error} says why when known). Called at most once; later calls are ignored.
   */
  void end(boolean complete, Throwable error);
}
