package dev.tollgate.agent.instrumentation.awssdk.v2;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * {@code ClasspathInterceptorChainFactory.getGlobalInterceptors()}, which every client builder calls once while it
 * builds a client (it reads {@code software/amazon/awssdk/global/handlers/execution.interceptors} from the class
 * path): {@link TollgateExecutionInterceptor} is added to what it returns, as if it were listed there.
 */
final class InterceptorChainFactoryInstrumentation implements TypeInstrumentation {
  private static final String PACKAGE = InterceptorChainFactoryInstrumentation.class.getPackageName() + ".";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named(AwsSdkInstrumentationModule.CHAIN_FACTORY);
  }

  @Override
  public String chokePoint() {
    return "LLM call (AWS SDK execution interceptor)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    // by name: the agent itself must never load these (they link against the host's AWS SDK)
    return List.of(PACKAGE + "TollgateExecutionInterceptor", PACKAGE + "TollgateExecutionInterceptor$Attempt",
        PACKAGE + "MeteredPublisher", PACKAGE + "MeteredPublisher$Metered");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("getGlobalInterceptors").and(takesArguments(0)),
        getClass().getName() + "$GlobalInterceptorsAdvice");
  }

  @SuppressWarnings("unused")
  public static class GlobalInterceptorsAdvice {
    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) List<ExecutionInterceptor> interceptors) {
      interceptors = TollgateExecutionInterceptor.addTo(interceptors);
    }
  }
}
