package dev.tollgate.agent.instrumentation.mcp.v0_10;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.Refusal;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import reactor.core.publisher.Mono;

/**
 * {@code McpAsyncClient.callTool(CallToolRequest)}: every MCP tool call passes here ({@code McpSyncClient}
 * delegates to it on the caller's thread, so the caller's run is visible). The decision is made when the call is
 * assembled, before anything is sent. A refused call never reaches the server: the caller gets
 * {@code CallToolResult(isError=true, "blocked by policy: ...")}, which every host hands to its model as a tool
 * error; a halt becomes {@code Mono.error(LimitExceededException)}, which {@code McpSyncClient} rethrows as is.
 */
final class McpAsyncClientInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("io.modelcontextprotocol.client.McpAsyncClient");
  }

  @Override
  public String chokePoint() {
    return "MCP client tool call (McpAsyncClient.callTool)";
  }

  @Override
  public Sees sees() {
    return Sees.TOOL_CALLS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("callTool").and(takesArguments(1))
        .and(takesArgument(0, named("io.modelcontextprotocol.spec.McpSchema$CallToolRequest"))),
        getClass().getName() + "$CallToolAdvice");
  }

  @SuppressWarnings("unused")
  public static class CallToolAdvice {
    @Advice.OnMethodEnter(skipOn = Refusal.class, suppress = Throwable.class)
    public static Object enter(@Advice.This McpAsyncClient client,
        @Advice.Argument(0) McpSchema.CallToolRequest request) {
      if (request == null) {
        return null;
      }
      return Guard.mcpToolEnter(request, client, request.name(), request.arguments());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) Mono<McpSchema.CallToolResult> result) {
      if (entered != null) {
        Guard.toolExit();
        if (entered instanceof Refusal) {
          Refusal refusal = (Refusal) entered;
          if (refusal.halt() != null) {
            result = Mono.error(refusal.halt());
          } else {
            result = Mono.just(McpSchema.CallToolResult.builder().addTextContent(refusal.text())
                .isError(Boolean.TRUE).build());
          }
        }
      }
    }
  }
}
