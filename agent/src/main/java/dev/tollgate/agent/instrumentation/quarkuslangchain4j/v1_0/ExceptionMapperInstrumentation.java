package dev.tollgate.agent.instrumentation.quarkuslangchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * LangChain4j's {@code ExceptionMapper.DefaultExceptionMapper.mapException(Throwable)}, where a model's
 * {@code withRetryMappingExceptions} decides whether a failed call is retried: it retries everything but a
 * {@code NonRetriableException}, and it makes one only of LangChain4j's own {@code HttpException}. Providers that
 * quarkus-langchain4j 1.0.0 builds on LangChain4j's model classes with a Quarkus REST client (Anthropic) fail with the
 * REST client's {@code WebApplicationException} instead, which would be retried, refusals included. In a loader with
 * quarkus-langchain4j, a response that says {@code x-should-retry: false} (every Tollgate refusal does) is mapped to
 * what LangChain4j maps a 4xx {@code HttpException} to, {@code InvalidRequestException}: the refusal is final.
 */
final class ExceptionMapperInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(QuarkusLangChain4jInstrumentationModule.EXCEPTION_MAPPER);
  }

  @Override
  public String chokePoint() {
    return "a refused LLM call is not retried (LangChain4j ExceptionMapper)";
  }

  @Override
  public List<String> helperClasses() {
    return List.of(getClass().getPackageName() + ".NotRetried");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("mapException").and(takesArguments(1)), getClass().getName() + "$MapAdvice");
  }

  @SuppressWarnings("unused")
  public static class MapAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) Throwable failure,
        @Advice.Return(readOnly = false) RuntimeException mapped) {
      if (failure != null && mapped != null) {
        mapped = NotRetried.map(failure, mapped);
      }
    }
  }
}
