package dev.tollgate.agent.instrumentation.reactornetty.v1;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatcher;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/** The two seams of Reactor Netty's client; see {@link ReactorNettyLlmCalls}. */
final class ReactorNettyInstrumentations {
  private ReactorNettyInstrumentations() {}

  /** By name: the agent never loads a helper itself (it links against the app's Reactor Netty). */
  static final String CALLS = "dev.tollgate.agent.instrumentation.reactornetty.v1.ReactorNettyLlmCalls";
  static final List<String> HELPERS = List.of(CALLS, CALLS + "$Call");

  /** {@code HttpClientFinalizer._connect()}: every response form of the client starts the connection there. */
  static final class Finalizer implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(ReactorNettyInstrumentationModule.FINALIZER);
    }

    @Override
    public String chokePoint() {
      return "LLM call (HttpClient connect)";
    }

    @Override
    public Sees sees() {
      return Sees.LLM_CALLS;
    }

    @Override
    public List<String> helperClasses() {
      return HELPERS;
    }

    @Override
    public void transform(AdviceTarget target) {
      target.applyAdvice(named("_connect").and(takesArguments(0)), getClass().getName() + "$ConnectAdvice");
    }

    @SuppressWarnings({"unused", "rawtypes"})
    public static class ConnectAdvice {
      @Advice.OnMethodExit(suppress = Throwable.class)
      public static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Mono connection) {
        connection = ReactorNettyLlmCalls.connecting(connection);
      }
    }
  }

  /** {@code HttpClientOperations}: the body the app sends, what the connection reads, and how it ends. */
  static final class Operations implements TypeInstrumentation {
    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
      return named(ReactorNettyInstrumentationModule.OPERATIONS);
    }

    @Override
    public String chokePoint() {
      return "LLM call (HttpClient body and response)";
    }

    @Override
    public Sees sees() {
      return Sees.LLM_CALLS;
    }

    @Override
    public List<String> helperClasses() {
      return HELPERS;
    }

    @Override
    public void transform(AdviceTarget target) {
      String name = getClass().getName();
      target.applyAdvice(named("send").and(takesArguments(1)), name + "$SendAdvice");
      target.applyAdvice(named("onInboundNext").and(takesArguments(2)), name + "$InboundAdvice");
      target.applyAdvice(namedOneOf("onInboundClose", "onInboundCancel").and(takesArguments(0)),
          name + "$CloseAdvice");
      target.applyAdvice(named("onOutboundError").and(takesArguments(1)), name + "$OutboundErrorAdvice");
    }

    @SuppressWarnings({"unused", "rawtypes", "unchecked"})
    public static class SendAdvice {
      @Advice.OnMethodEnter(suppress = Throwable.class)
      public static void enter(@Advice.This Object self,
          @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Publisher body) {
        body = ReactorNettyLlmCalls.body(self, body);
      }
    }

    @SuppressWarnings("unused")
    public static class InboundAdvice {
      @Advice.OnMethodEnter(suppress = Throwable.class)
      public static void enter(@Advice.This Object self, @Advice.Argument(1) Object message) {
        ReactorNettyLlmCalls.inbound(self, message);
      }
    }

    @SuppressWarnings("unused")
    public static class CloseAdvice {
      @Advice.OnMethodEnter(suppress = Throwable.class)
      public static void enter(@Advice.This Object self) {
        ReactorNettyLlmCalls.closed(self, null);
      }
    }

    @SuppressWarnings("unused")
    public static class OutboundErrorAdvice {
      @Advice.OnMethodEnter(suppress = Throwable.class)
      public static void enter(@Advice.This Object self, @Advice.Argument(0) Throwable error) {
        ReactorNettyLlmCalls.closed(self, error);
      }
    }
  }
}
