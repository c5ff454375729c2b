package dev.tollgate.agent.instrumentation.embabel.v0_5;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * Embabel's types, reached by reflection (Embabel is Java 21 bytecode; the agent compiles for 17). A helper class:
 * defined into the loader of Embabel's {@code DefaultToolLoop}, so {@link Class#forName} there finds Embabel's and
 * Kotlin's classes. Lookups are cached per loader in a {@link ClassValue}; a failure throws into the advice, which
 * suppresses and counts it.
 */
public final class EmbabelToolCalls {
  private EmbabelToolCalls() {}

  /** The reflective handles for one Embabel loader, keyed by its {@code ToolCall} class. */
  private static final class Handles {
    final Method name;
    final Method arguments;
    final Method currentProcess;
    final Method processId;
    final Constructor<?> error;
    final Constructor<?> pair;

    Handles(Class<?> toolCallClass) throws ReflectiveOperationException {
      ClassLoader loader = toolCallClass.getClassLoader();
      name = toolCallClass.getMethod("getName");
      arguments = toolCallClass.getMethod("getArguments");
      Class<?> process = Class.forName("com.embabel.agent.core.AgentProcess", false, loader);
      currentProcess = process.getMethod("get");
      processId = process.getMethod("getId");
      error = Class.forName("com.embabel.agent.api.tool.Tool$Result$Error", false, loader)
          .getConstructor(String.class, Throwable.class);
      pair = Class.forName("kotlin.Pair", false, loader).getConstructor(Object.class, Object.class);
    }
  }

  /** Looks the handles up once per {@code ToolCall} class (a named class: helpers are injected by name). */
  private static final class Lookup extends ClassValue<Handles> {
    @Override
    protected Handles computeValue(Class<?> type) {
      try {
        return new Handles(type);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final ClassValue<Handles> HANDLES = new Lookup();

  public static String name(Object toolCall) throws ReflectiveOperationException {
    return (String) HANDLES.get(toolCall.getClass()).name.invoke(toolCall);
  }

  public static String arguments(Object toolCall) throws ReflectiveOperationException {
    return (String) HANDLES.get(toolCall.getClass()).arguments.invoke(toolCall);
  }

  /** The run of the agent process current on this thread, as a value naming it, or null outside any process. */
  public static Object processRun(Object toolCall) throws ReflectiveOperationException {
    Handles h = HANDLES.get(toolCall.getClass());
    Object process = h.currentProcess.invoke(null);
    if (process == null) {
      return null;
    }
    Object id = h.processId.invoke(process);
    return id == null ? null : "embabel:" + id;
  }

  /** What {@code executeToolCall} returns for a tool that failed with {@code text}: Embabel's own error result. */
  public static Object refused(Object toolCall, String text) throws ReflectiveOperationException {
    Handles h = HANDLES.get(toolCall.getClass());
    return h.pair.newInstance(h.error.newInstance(text, null), "Error: " + text);
  }
}
