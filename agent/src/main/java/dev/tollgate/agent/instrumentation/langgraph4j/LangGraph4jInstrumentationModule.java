package dev.tollgate.agent.instrumentation.langgraph4j;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import org.bsc.async.AsyncGenerator;
import org.bsc.langgraph4j.RunnableConfig;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * LangGraph4j 1.8 (1.8.3 to 1.8.17 proved): its tool nodes call LangChain4j's
 * {@code ToolExecutor.executeWithContext} or Spring AI's {@code ToolCallback.call} directly, so those modules decide
 * the tools; this module marks the run: one {@code CompiledGraph.invoke(...)} (every overload; they do not all
 * funnel through one, and nested calls join the outer run). {@code invoke} drives the graph on the caller's thread,
 * which is where the tool nodes run. The run's session is the graph's thread id ({@code RunnableConfig.threadId()}),
 * for session-scope limits.
 *
 * <p>{@code stream(...)} and {@code streamSnapshots(...)} return a generator that the caller drives later, on
 * any thread: one generator is one run. Every graph execution builds a {@code CompiledGraph$AsyncNodeGeneratorWithEmbed}
 * ({@code invoke} too, through {@code invokeFinal -> stream}); built outside any run it starts one, bound to the
 * generator and taken off the building thread. Each {@code next()} (which runs the next node, tools included)
 * makes that run current on the thread driving it, and the {@code next()} that reports the generator done
 * (exhausted, cancelled, failed) or throws ends it. Built inside a run ({@code invoke}, a subgraph, a tool), the
 * generator joins that run and leaves its end to it.
 *
 * <p>Before 1.8 (the registry serves 1.4 to 1.7 of 1.x below it) {@code invoke} is the same, but a stream is a plain
 * {@code CompiledGraph$AsyncNodeGenerator} without the {@code WithEmbed} parent: a streamed graph would not be one
 * run. So the range starts at 1.8.0 and {@code AsyncNodeGeneratorWithEmbed} is a required member: an older LangGraph4j
 * is skipped with a {@code coverage} entry and a warning instead of half-governed.
 */
public final class LangGraph4jInstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "langgraph4j";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("org.bsc.langgraph4j.CompiledGraph");
  }

  @Override
  public List<String> anchors() {
    return List.of("org.bsc.langgraph4j.CompiledGraph",
        "org.bsc.langgraph4j.CompiledGraph$AsyncNodeGeneratorWithEmbed",
        "org.bsc.async.AsyncGenerator$WithEmbed");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/org.bsc.langgraph4j/langgraph4j-core/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new CompiledGraphInstrumentation(), new GraphGeneratorInstrumentation(),
        new GeneratorNextInstrumentation());
  }

  static final class CompiledGraphInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("org.bsc.langgraph4j.CompiledGraph");
    }

    @Override
    public String chokePoint() {
      return "run entry (CompiledGraph.invoke)";
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(named("invoke").and(isPublic()).and(takesArguments(2))
          .and(takesArgument(1, named("org.bsc.langgraph4j.RunnableConfig"))),
          LangGraph4jInstrumentationModule.class.getName() + "$InvokeWithConfigAdvice");
      target.applyAdvice(named("invoke").and(isPublic()).and(not(takesArgument(1,
          named("org.bsc.langgraph4j.RunnableConfig")))),
          LangGraph4jInstrumentationModule.class.getName() + "$InvokeAdvice");
    }
  }

  /** A graph execution's generator: where a streamed run starts. */
  static final class GraphGeneratorInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("org.bsc.langgraph4j.CompiledGraph$AsyncNodeGeneratorWithEmbed");
    }

    @Override
    public String chokePoint() {
      return "streaming run entry (CompiledGraph.stream)";
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(isConstructor().and(takesArguments(3))
          .and(takesArgument(2, named("org.bsc.langgraph4j.RunnableConfig"))),
          LangGraph4jInstrumentationModule.class.getName() + "$GeneratorAdvice");
    }
  }

  /** {@code AsyncGenerator$WithEmbed.next()}, which the graph's generator inherits: drives one node. */
  static final class GeneratorNextInstrumentation implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named("org.bsc.async.AsyncGenerator$WithEmbed");
    }

    @Override
    public String chokePoint() {
      return "streaming run (graph generator next)";
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(named("next").and(takesArguments(0)),
          LangGraph4jInstrumentationModule.class.getName() + "$NextAdvice");
    }
  }

  @SuppressWarnings("unused")
  public static class GeneratorAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object generator, @Advice.Argument(2) RunnableConfig config) {
      Object run = Guard.runEnter("langgraph4j", config == null ? null : config.threadId().orElse(null));
      if (run != null) {
        Guard.runBind(generator);
        Guard.runDetach(run, null);
      }
    }
  }

  @SuppressWarnings("unused")
  public static class NextAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.This Object generator) {
      return Guard.runResume(generator);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object resumed, @Advice.Return AsyncGenerator.Data<?> data,
        @Advice.Thrown Throwable thrown) {
      if (resumed != null) {
        Guard.runRelease(resumed, thrown != null || data == null || data.isDone() || data.isError(), thrown);
      }
    }
  }

  /** With a {@code RunnableConfig}: its thread id is the run's session (the graph's conversation). */
  @SuppressWarnings("unused")
  public static class InvokeWithConfigAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter(@Advice.Argument(1) RunnableConfig config) {
      return Guard.runEnter("langgraph4j", config == null ? null : config.threadId().orElse(null));
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }

  @SuppressWarnings("unused")
  public static class InvokeAdvice {
    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object enter() {
      return Guard.runEnter("langgraph4j");
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object run, @Advice.Thrown(readOnly = false) Throwable thrown) {
      Throwable halt = Guard.runExit(run, thrown);
      if (halt != null) {
        thrown = halt;
      }
    }
  }

  @Override
  public String minVersion() {
    return "1.8.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "2.0.0";
  }

  @Override
  public List<String> requiredMembers() {
    return List.of("org.bsc.langgraph4j.CompiledGraph#invoke",
        "org.bsc.langgraph4j.CompiledGraph$AsyncNodeGeneratorWithEmbed");
  }
}
