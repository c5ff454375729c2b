package dev.tollgate.agent.instrumentation.apachehttp.v5;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tollgate.agent.spi.TypeInstrumentation;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.MeteredInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * {@code InternalHttpClient.doExecute(HttpHost, ClassicHttpRequest, HttpContext)} (what the builders make) and
 * {@code MinimalHttpClient.doExecute}: every {@code execute} overload of {@code CloseableHttpClient} ends there,
 * once per logical request; redirects and retries happen inside it. The response entity seen here is already
 * decompressed by the client. A blocked call returns a synthetic 402 response without executing anything.
 */
final class ClassicClientInstrumentation implements TypeInstrumentation {
  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return namedOneOf("org.apache.hc.client5.http.impl.classic.InternalHttpClient",
        "org.apache.hc.client5.http.impl.classic.MinimalHttpClient");
  }

  @Override
  public String chokePoint() {
    return "LLM call (CloseableHttpClient.execute)";
  }

  @Override
  public Sees sees() {
    return Sees.LLM_CALLS;
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(named("doExecute").and(takesArguments(3)), getClass().getName() + "$DoExecuteAdvice");
  }

  @SuppressWarnings("unused")
  public static class DoExecuteAdvice {
    @Advice.OnMethodEnter(skipOn = BlockedCall.class, suppress = Throwable.class)
    public static Object enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request)
        throws Exception {
      if (request == null || !Guard.installed()) {
        return null;
      }
      String uri = request.getUri().toString();
      if (!uri.startsWith("http") && target != null) {
        uri = target.toURI() + request.getRequestUri();
      }
      HttpEntity entity = request.getEntity();
      long length = entity == null ? 0 : entity.getContentLength();
      byte[] body = entity == null ? new byte[0] : null;
      if (entity != null && length <= 32L * 1024 * 1024
          && (entity.isRepeatable() || Guard.llmRecognized(request.getMethod(), uri))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 ? (int) length : 1024);
        entity.writeTo(out);
        body = out.toByteArray();
        length = body.length;
        if (!entity.isRepeatable()) {
          // a one-shot body of an LLM call was read ahead: send those same bytes
          request.setEntity(new ByteArrayEntity(body,
              entity.getContentType() == null ? null : ContentType.parse(entity.getContentType()),
              entity.getContentEncoding(), entity.isChunked()));
        }
      }
      return Guard.llmEnter("apache-httpclient5", request.getMethod(), uri, body, length);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter Object entered,
        @Advice.Return(readOnly = false) CloseableHttpResponse response, @Advice.Thrown Throwable thrown)
        throws Exception {
      if (entered instanceof BlockedCall) {
        BlockedCall blocked = (BlockedCall) entered;
        BasicClassicHttpResponse synthetic = new BasicClassicHttpResponse(blocked.status(), "Payment Required");
        for (Map.Entry<String, String> h : blocked.headers().entrySet()) {
          synthetic.addHeader(h.getKey(), h.getValue());
        }
        synthetic.setEntity(new ByteArrayEntity(blocked.body(), ContentType.APPLICATION_JSON));
        response = CloseableHttpResponse.adapt(synthetic);
      } else if (entered instanceof LlmExchange) {
        LlmExchange exchange = (LlmExchange) entered;
        if (thrown != null || response == null) {
          Guard.llmEnd(exchange, false, thrown);
          return;
        }
        HttpEntity entity = response.getEntity();
        Guard.llmResponse(exchange, response.getCode(), entity == null ? null : entity.getContentType(),
            entity == null ? null : entity.getContentEncoding());
        if (entity == null) {
          Guard.llmEnd(exchange, true, null);
        } else {
          response.setEntity(new InputStreamEntity(new MeteredInputStream(entity.getContent(), exchange),
              entity.getContentLength(),
              entity.getContentType() == null ? null : ContentType.parse(entity.getContentType()),
              entity.getContentEncoding()));
        }
      }
    }
  }
}
