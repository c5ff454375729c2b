package dev.tollgate.agent.spi;

import java.util.List;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One woven type: which classes, and which advice on which of their methods. */
public interface TypeInstrumentation {
  ElementMatcher<TypeDescription> typeMatcher();

  /** What a user would call this choke point, for the coverage report, e.g. {@code tool dispatch (ToolExecutor)}. */
  String chokePoint();

  void transform(AdviceTarget target);

  /** Which calls this choke point lets the agent see: the coverage report's and the coverage gap's view. */
  default Sees sees() {
    return Sees.OTHER;
  }

  /** What a woven choke point makes visible. */
  enum Sees {
    /** LLM calls: an HTTP client that carries provider traffic. */
    LLM_CALLS,
    /** Tool calls: a tool dispatcher. */
    TOOL_CALLS,
    /** Neither: run boundaries, sessions, error handling. */
    OTHER
  }

  /**
   * Classes of the agent that the advice calls and that are compiled against the instrumented library (an
   * OkHttp {@code Interceptor}, say): defined from the agent jar's bytes into each class loader that loads a
   * matching type, before it is woven, so they link against that loader's copy of the library. Binary names,
   * nested classes included. Agent code never loads them itself: it names them only by string.
   */
  default List<String> helperClasses() {
    return List.of();
  }

  /** Receives advice bindings; the advice class is named by string so the agent never loads it. */
  interface AdviceTarget {
    void applyAdvice(ElementMatcher<? super MethodDescription> methods, String adviceClassName);
  }
}
