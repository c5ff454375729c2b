package dev.tollgate.agent.instrumentation.quarkusrestclient.v3;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Vert.x 4's {@code HttpClientResponseImpl}: every chunk of a response body passes {@code handleChunk(Buffer)} on its
 * way to whatever handler the reader set, then {@code handleEnd} or {@code handleException}. Only responses bound
 * to an LLM exchange (by {@link RestClientRequestContextInstrumentation}) are metered; the bytes are read, never
 * changed.
 */
final class VertxClientResponseInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(QuarkusRestClientInstrumentationModule.VERTX_RESPONSE);
  }

  @Override
  public String chokePoint() {
    return "LLM response body (Vert.x HttpClientResponse)";
  }

  @Override
  public List<String> helperClasses() {
    return QuarkusRestClientInstrumentationModule.HELPERS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("handleChunk").and(takesArguments(1)), getClass().getName() + "$ChunkAdvice");
    target.applyAdvice(named("handleEnd").and(takesArguments(1)), getClass().getName() + "$EndAdvice");
    target.applyAdvice(named("handleException").and(takesArguments(1)), getClass().getName() + "$ExceptionAdvice");
  }

  @SuppressWarnings("unused")
  public static class ChunkAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object response, @Advice.Argument(0) Buffer chunk) {
      if (chunk != null) {
        VertxResponseMeter.chunk(response, chunk);
      }
    }
  }

  @SuppressWarnings("unused")
  public static class EndAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object response) {
      VertxResponseMeter.end(response, null);
    }
  }

  @SuppressWarnings("unused")
  public static class ExceptionAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object response, @Advice.Argument(0) Throwable failure) {
      VertxResponseMeter.end(response, failure);
    }
  }
}
