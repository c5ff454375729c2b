package dev.tollgate.agent.instrumentation.okhttp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttp;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** Plain OkHttp app code, unaware of Tollgate; the client is built on first use, after weaving. */
public final class OkHttpAppImpl implements OkHttpApp {
  private OkHttpClient client;

  @Override
  public String version() {
    try {
      // by reflection: in 4.x the field is a compile-time constant that javac would inline as "4.12.0"
      return (String) OkHttp.class.getField("VERSION").get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized OkHttpClient client() {
    if (client == null) {
      client = new OkHttpClient();
    }
    return client;
  }

  @Override
  public List<List<String>> interceptorNames() {
    OkHttpClient fresh = new OkHttpClient();
    OkHttpClient rebuilt = fresh.newBuilder().build().newBuilder().build();
    OkHttpClient withOwn = new OkHttpClient.Builder().addInterceptor(new AppInterceptor()).build();
    return List.of(names(fresh.interceptors()), names(rebuilt.interceptors()), names(withOwn.interceptors()));
  }

  @Override
  public String interceptorLoader() {
    return new OkHttpClient().interceptors().get(0).getClass().getClassLoader().getName();
  }

  private static List<String> names(List<Interceptor> interceptors) {
    List<String> names = new ArrayList<>();
    for (Interceptor i : interceptors) {
      names.add(i.getClass().getName());
    }
    return names;
  }

  @Override
  public Reply call(String method, String url, byte[] body, int chunk, int limit) throws IOException {
    RequestBody requestBody = body == null ? null : RequestBody.create(body, MediaType.get("application/json"));
    Request request = new Request.Builder().url(url).method(method, requestBody).build();
    try (Response response = client().newCall(request).execute()) {
      Map<String, String> headers = new TreeMap<>();
      for (String name : response.headers().names()) {
        headers.put(name.toLowerCase(Locale.ROOT), response.headers().get(name));
      }
      ResponseBody responseBody = response.body();
      ByteArrayOutputStream read = new ByteArrayOutputStream();
      if (responseBody != null) {
        InputStream in = responseBody.byteStream();
        byte[] buffer = new byte[chunk];
        int n;
        while ((limit < 0 || read.size() < limit) && (n = in.read(buffer)) != -1) {
          read.write(buffer, 0, n);
        }
      }
      return new Reply(response.code(), response.message(), headers, read.toByteArray(),
          responseBody == null ? null : responseBody.getClass().getName());
    }
  }

  /** An interceptor of the app's own. */
  static final class AppInterceptor implements Interceptor {
    @Override
    public Response intercept(Chain chain) throws IOException {
      return chain.proceed(chain.request());
    }
  }
}
