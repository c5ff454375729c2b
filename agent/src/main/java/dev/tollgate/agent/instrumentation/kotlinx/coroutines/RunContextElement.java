package dev.tollgate.agent.instrumentation.kotlinx.coroutines;

import dev.tollgate.bootstrap.Guard;
import kotlin.coroutines.CoroutineContext;
import kotlin.jvm.functions.Function2;
import kotlinx.coroutines.ThreadContextElement;

/**
 * The run a coroutine was started in, as an element of its context: kotlinx.coroutines makes it current on every
 * thread the coroutine runs a slice on ({@link #updateThreadContext}) and undoes that when the slice ends
 * ({@link #restoreThreadContext}), so the model call a coroutine makes after hopping to {@code Dispatchers.IO} (Ktor's
 * engines do) is made in the run that started it. The run is lent to the element ({@link Guard#runLend}): a coroutine
 * never ends the run it carries. Where a run is current already when a slice starts, that one stays. A helper class,
 * defined into the loader of the app's kotlinx.coroutines.
 */
public final class RunContextElement implements ThreadContextElement<Object> {
  /** The key of this element in a coroutine context: one run per coroutine, the first one it was given. */
  public static final CoroutineContext.Key<RunContextElement> KEY = new CoroutineContext.Key<RunContextElement>() {};

  private RunContextElement() {}

  /**
   * {@code context}, with the current thread's run added when there is one and {@code context} carries none yet:
   * what {@code newCoroutineContext} returns for a coroutine started here.
   */
  public static CoroutineContext carry(CoroutineContext context) {
    if (context == null || !Guard.inRun() || context.get(KEY) != null) {
      return context;
    }
    RunContextElement element = new RunContextElement();
    Guard.runLend(element);
    return context.plus(element);
  }

  @Override
  public CoroutineContext.Key<?> getKey() {
    return KEY;
  }

  @Override
  public Object updateThreadContext(CoroutineContext context) {
    return Guard.runResume(this);
  }

  @Override
  public void restoreThreadContext(CoroutineContext context, Object token) {
    Guard.runRelease(token, false, null);
  }

  @Override
  public <E extends CoroutineContext.Element> E get(CoroutineContext.Key<E> key) {
    return CoroutineContext.Element.DefaultImpls.get(this, key);
  }

  @Override
  public <R> R fold(R initial, Function2<? super R, ? super CoroutineContext.Element, ? extends R> operation) {
    return CoroutineContext.Element.DefaultImpls.fold(this, initial, operation);
  }

  @Override
  public CoroutineContext minusKey(CoroutineContext.Key<?> key) {
    return CoroutineContext.Element.DefaultImpls.minusKey(this, key);
  }

  @Override
  public CoroutineContext plus(CoroutineContext context) {
    return CoroutineContext.Element.DefaultImpls.plus(this, context);
  }

  @Override
  public String toString() {
    return "TollgateRun";
  }
}
