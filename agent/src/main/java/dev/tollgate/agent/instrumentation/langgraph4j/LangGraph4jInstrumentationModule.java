package dev.tollgate.agent.instrumentation.langgraph4j;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.Guard;
import org.bsc.langgraph4j.RunnableConfig;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * LangGraph4j (1.8): its tool nodes call LangChain4j's {@code ToolExecutor.executeWithContext} or Spring AI's
 * {@code ToolCallback.call} directly, so those modules decide the tools; this module marks the run: one
 * {@code CompiledGraph.invoke(...)} (every overload; they do not all funnel through one, and nested calls join
 * the outer run). {@code invoke} drives the graph on the caller's thread, which is where the tool nodes run.
 * The run's session is the graph's thread id ({@code RunnableConfig.threadId()}), for session-scope limits.
 * {@code stream(...)} returns a generator the caller drives later and is not a run boundary yet.
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
    return List.of("org.bsc.langgraph4j.CompiledGraph");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/org.bsc.langgraph4j/langgraph4j-core/pom.properties");
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new CompiledGraphInstrumentation());
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
}
