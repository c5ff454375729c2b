package dev.tollgate.agent.instrumentation.springweb.v6_1;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpResponse;

/**
 * {@code executeInternal(HttpHeaders, byte[])} of every {@code AbstractBufferingClientHttpRequest} (the
 * intercepting and buffering wrappers) and {@code executeInternal(HttpHeaders, StreamingHttpOutputMessage.Body)} of
 * every {@code AbstractStreamingClientHttpRequest} (each connector's request): the body in hand, just before it is
 * sent (checked with javap on spring-web 6.2.19). The outermost request of a wrapper chain governs; a blocked call
 * returns a synthetic {@code ClientHttpResponse} without executing anything.
 */
final class ClientHttpRequestInstrumentation implements TypeInstrumentation {
  private static final String PACKAGE = ClientHttpRequestInstrumentation.class.getPackageName() + ".";

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return hasSuperType(namedOneOf(SpringWebInstrumentationModule.BUFFERING, SpringWebInstrumentationModule.STREAMING))
        .and(not(isAbstract()));
  }

  @Override
  public String chokePoint() {
    return "LLM call (ClientHttpRequest.execute: RestClient, RestTemplate)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public List<String> helperClasses() {
    return List.of(PACKAGE + "RestClientGuard", PACKAGE + "CapturedBody", PACKAGE + "MeteredClientHttpResponse",
        PACKAGE + "BlockedClientHttpResponse", PACKAGE + "RestClientGuard$Outgoing");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("executeInternal").and(takesArguments(2)).and(not(isAbstract()))
        .and(takesArgument(0, named("org.springframework.http.HttpHeaders"))).and(takesArgument(1, byte[].class)),
        getClass().getName() + "$BufferedAdvice");
    target.applyAdvice(named("executeInternal").and(takesArguments(2)).and(not(isAbstract()))
        .and(takesArgument(0, named("org.springframework.http.HttpHeaders")))
        .and(takesArgument(1, named("org.springframework.http.StreamingHttpOutputMessage$Body"))),
        getClass().getName() + "$StreamingAdvice");
  }

  @SuppressWarnings("unused")
  public static class BufferedAdvice {
    @Advice.OnMethodEnter(skipOn = ClientHttpResponse.class, suppress = Throwable.class)
    public static Object enter(@Advice.This ClientHttpRequest request, @Advice.Argument(1) byte[] body) {
      return RestClientGuard.enter(request, body);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) ClientHttpResponse response, @Advice.Thrown Throwable thrown) {
      if (entered != null) {
        response = RestClientGuard.exit(entered, response, thrown);
      }
    }
  }

  @SuppressWarnings("unused")
  public static class StreamingAdvice {
    @Advice.OnMethodEnter(skipOn = ClientHttpResponse.class, suppress = Throwable.class)
    public static Object enter(@Advice.This ClientHttpRequest request,
        @Advice.Argument(value = 1, readOnly = false) StreamingHttpOutputMessage.Body body) {
      Object entered = RestClientGuard.enterStreaming(request, body);
      body = RestClientGuard.body(entered, body);
      return entered;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) ClientHttpResponse response, @Advice.Thrown Throwable thrown) {
      if (entered != null) {
        response = RestClientGuard.exit(entered, response, thrown);
      }
    }
  }
}
