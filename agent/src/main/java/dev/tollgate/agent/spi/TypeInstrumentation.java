package dev.tollgate.agent.spi;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One woven type: which classes, and which advice on which of their methods. */
public interface TypeInstrumentation {
  ElementMatcher<TypeDescription> typeMatcher();

  /** What a user would call this choke point, for the coverage report, e.g. {@code tool dispatch (ToolExecutor)}. */
  String chokePoint();

  void transform(AdviceTarget target);

  /** Receives advice bindings; the advice class is named by string so the agent never loads it. */
  interface AdviceTarget {
    void applyAdvice(ElementMatcher<? super MethodDescription> methods, String adviceClassName);
  }
}
