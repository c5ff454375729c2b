package dev.tollgate.agent.instrumentation.adk.v0_5;

import dev.tollgate.bootstrap.Guard;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;

/**
 * The {@code Single} an ADK MCP tool's {@code runAsync} returns: it calls the MCP server when subscribed, after the
 * tool's dispatch frame ended. While it is subscribed, the thread is marked as dispatching that tool again
 * ({@link Guard#toolRedispatchEnter}), so the MCP client's {@code callTool} inside is the same logical call, decided
 * and counted once (under the ADK tool's name, its remote name checked against the tool rules).
 *
 * <p>A helper class: defined into the loader of ADK's {@code BaseTool}, linking against its RxJava.
 */
public final class RemoteToolCall<T> extends Single<T> {
  private final Single<T> source;
  private final Object request;
  private final String tool;

  private RemoteToolCall(Single<T> source, Object request, String tool) {
    this.source = source;
    this.request = request;
    this.tool = tool;
  }

  /** {@code result} wrapped when {@code tool} is one of ADK's MCP tools; as it is otherwise. */
  public static <T> Single<T> wrap(Single<T> result, Object tool, Object request, String name) {
    if (result == null || tool == null || request == null
        || !tool.getClass().getName().startsWith("com.google.adk.tools.mcp.")) {
      return result;
    }
    return new RemoteToolCall<>(result, request, name);
  }

  @Override
  protected void subscribeActual(SingleObserver<? super T> observer) {
    Guard.toolRedispatchEnter(request, tool);
    try {
      source.subscribe(observer);
    } finally {
      Guard.toolRedispatchExit(request);
    }
  }
}
