package dev.tollgate.agent.instrumentation.langchain4j.v1_0;

import static net.bytebuddy.matcher.ElementMatchers.declaresField;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.langchain4j.invocation.InvocationContext;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code AiServiceTokenStream.start()}: where a streaming AI-service run begins. The run stays open after
 * {@code start()} returns; {@link StreamingRunInstrumentation} carries it through the callbacks and ends it.
 *
 * <p>The run's session is the stream's memory id, which the stream holds in a field whose shape changed: 1.0 keeps
 * {@code Object memoryId}, later versions an {@code InvocationContext invocationContext} (its
 * {@code chatMemoryId()}). One variant per shape, chosen by the fields the class declares (the matchers exclude each
 * other); a version with neither starts the run without a session.
 */
final class TokenStreamInstrumentation implements TypeInstrumentation {
  private static final String STREAM = "dev.langchain4j.service.AiServiceTokenStream";

  /** Which field holds the memory id. */
  enum Shape { MEMORY_ID_FIELD, INVOCATION_CONTEXT_FIELD, NONE }

  private final Shape shape;

  TokenStreamInstrumentation(Shape shape) {
    this.shape = shape;
  }

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    ElementMatcher.Junction<TypeDescription> memoryId = declaresField(named("memoryId"));
    ElementMatcher.Junction<TypeDescription> context = declaresField(named("invocationContext"));
    return switch (shape) {
      case MEMORY_ID_FIELD -> named(STREAM).and(memoryId);
      case INVOCATION_CONTEXT_FIELD -> named(STREAM).and(not(memoryId)).and(context);
      case NONE -> named(STREAM).and(not(memoryId)).and(not(context));
    };
  }

  @Override
  public String chokePoint() {
    return "streaming run entry (TokenStream.start)";
  }

  @Override
  public void transform(AdviceTarget target) {
    String advice = switch (shape) {
      case MEMORY_ID_FIELD -> "$StartWithMemoryIdAdvice";
      case INVOCATION_CONTEXT_FIELD -> "$StartWithContextAdvice";
      case NONE -> "$StartAdvice";
    };
    target.applyAdvice(named("start").and(takesArguments(0)), getClass().getName() + advice);
  }

  @SuppressWarnings("unused")
  public static class StartAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("langchain4j");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown Throwable thrown) {
      Guard.runDetach(run, thrown);
    }
  }

  /** 1.0: {@code Object memoryId}. */
  @SuppressWarnings("unused")
  public static class StartWithMemoryIdAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.FieldValue("memoryId") Object memoryId) {
      return Guard.runEnter("langchain4j", memoryId == null ? null : memoryId.toString());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown Throwable thrown) {
      Guard.runDetach(run, thrown);
    }
  }

  /** Later versions: {@code InvocationContext invocationContext}, whose {@code chatMemoryId()} is the memory id. */
  @SuppressWarnings("unused")
  public static class StartWithContextAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.FieldValue("invocationContext") InvocationContext context) {
      Object memoryId = context == null ? null : context.chatMemoryId();
      return Guard.runEnter("langchain4j", memoryId == null ? null : memoryId.toString());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown Throwable thrown) {
      Guard.runDetach(run, thrown);
    }
  }
}
