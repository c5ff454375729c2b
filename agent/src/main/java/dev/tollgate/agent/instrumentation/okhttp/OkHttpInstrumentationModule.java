package dev.tollgate.agent.instrumentation.okhttp;

import dev.tollgate.agent.spi.InstrumentationModule;
import dev.tollgate.agent.spi.TypeInstrumentation;
import java.util.List;

/**
 * OkHttp 4.x and 5.x ({@code okhttp3}): the transport of openai-java, anthropic-java, google-genai / ADK and
 * Spring AI 2.0's OpenAI and Anthropic models. Every client gets {@link TollgateInterceptor}; only requests the
 * guard recognises as LLM calls are touched, everything else passes as it is.
 *
 * <p>Binary compatibility, checked with {@code javap} on okhttp 4.12.0 (okio-jvm 3.6.0) and okhttp-jvm 5.3.2
 * (okio-jvm 3.16.4): the same JVM signatures exist in both for everything the helpers and advice call:
 * {@code OkHttpClient(OkHttpClient$Builder)}, {@code OkHttpClient$Builder.interceptors(): List} (the builder's
 * live mutable list), {@code Interceptor.intercept(Interceptor$Chain)}, {@code Chain.request()},
 * {@code Chain.proceed(Request)}; {@code Request.url()/method()/body()}, {@code HttpUrl.toString()};
 * {@code RequestBody.contentLength()/isOneShot()/isDuplex()/writeTo(BufferedSink)}; {@code Response.code()/
 * header(String)/body()/newBuilder()}; {@code Response$Builder()} and its {@code request/protocol/code/message/
 * header/body/sentRequestAtMillis/receivedResponseAtMillis/build}; {@code Protocol.HTTP_1_1};
 * {@code ResponseBody.contentType()/contentLength()/source()} and the statics
 * {@code ResponseBody.create(byte[], MediaType)}, {@code ResponseBody.create(BufferedSource, MediaType, long)};
 * {@code MediaType.parse(String)} (static); okio {@code Buffer()}, {@code Buffer.size()/readByteArray()/
 * copyTo(OutputStream, long, long)}, {@code ForwardingSource(Source)/read(Buffer, long)/close()},
 * {@code Okio.buffer(Source)} (static); {@code Call.request()}, {@code RealCall.enqueue(Callback)}. In 5.x {@code Response.body()} is never null; in 4.x it may be.
 *
 * <p>Version: neither jar carries a {@code pom.properties}; {@code okhttp3.OkHttp.VERSION} holds it (a constant
 * in 4.x, set by {@code <clinit>} in 5.x), read by reflection.
 */
public final class OkHttpInstrumentationModule implements InstrumentationModule {
  @Override
  public String name() {
    return "okhttp";
  }

  @Override
  public List<String> markerClasses() {
    return List.of("okhttp3.OkHttpClient");
  }

  @Override
  public List<String> anchors() {
    return List.of("okhttp3.OkHttpClient", "okhttp3.internal.connection.RealCall", "okhttp3.RealCall");
  }

  @Override
  public List<String> versionResources() {
    return List.of("META-INF/maven/com.squareup.okhttp3/okhttp/pom.properties");
  }

  @Override
  public String versionField() {
    return "okhttp3.OkHttp#VERSION";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(new OkHttpClientInstrumentation(), new RealCallInstrumentation());
  }

  @Override
  public String minVersion() {
    return "4.0.0";
  }

  @Override
  public String maxVersionExclusive() {
    return "6.0.0";
  }
}
