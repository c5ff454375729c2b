package dev.tollgate.agent.instrumentation.kotlinx.coroutines;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import kotlin.coroutines.CoroutineContext;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code kotlinx.coroutines.CoroutineContextKt.newCoroutineContext}, both forms: the context of every coroutine
 * {@code launch}, {@code async}, {@code runBlocking} and {@code withContext} start is made there, on the thread that
 * starts it. When that thread is in a run, the coroutine carries it ({@link RunContextElement}).
 */
final class CoroutineContextInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(KotlinCoroutinesInstrumentationModule.CONTEXT_KT);
  }

  @Override
  public String chokePoint() {
    return "run context (newCoroutineContext)";
  }

  @Override
  public List<String> helperClasses() {
    String p = getClass().getPackageName() + ".RunContextElement";
    return List.of(p, p + "$1");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(isStatic().and(named("newCoroutineContext")).and(takesArguments(2)),
        getClass().getName() + "$NewContextAdvice");
  }

  @SuppressWarnings("unused")
  public static class NewContextAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) CoroutineContext context) {
      context = RunContextElement.carry(context);
    }
  }
}
