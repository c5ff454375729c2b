package dev.tollgate.agent.instrumentation.kotlinx.coroutines;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * kotlinx.coroutines (1.6 onwards; 1.10.2 proved): a coroutine started while a run is current carries that run to
 * every thread it runs on, as a {@code ThreadContextElement}, the way it carries an MDC or a tracing context. Koog's
 * model calls, which Ktor sends from {@code Dispatchers.IO}, are counted in the agent's run that way. Its jar has no
 * {@code pom.properties}; the version line is held by {@link #requiredMembers()}.
 */
public final class KotlinCoroutinesInstrumentationModule implements InstrumentationModule {
  static final String CONTEXT_KT = "kotlinx.coroutines.CoroutineContextKt";

  @Override
  public String name() {
    return "kotlinx-coroutines";
  }

  @Override
  public List<String> markerClasses() {
    return List.of(CONTEXT_KT, "kotlinx.coroutines.ThreadContextElement");
  }

  @Override
  public List<String> anchors() {
    return List.of(CONTEXT_KT);
  }

  @Override
  public List<String> versionResources() {
    return List.of();
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new CoroutineContextInstrumentation());
  }

  @Override
  public List<String> requiredMembers() {
    return List.of(CONTEXT_KT + "#newCoroutineContext",
        "kotlinx.coroutines.ThreadContextElement#updateThreadContext",
        "kotlinx.coroutines.ThreadContextElement#restoreThreadContext",
        "kotlin.coroutines.CoroutineContext$Element$DefaultImpls#plus");
  }
}
