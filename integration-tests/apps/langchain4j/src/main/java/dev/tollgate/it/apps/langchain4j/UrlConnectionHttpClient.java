package dev.tollgate.it.apps.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A LangChain4j HTTP client over {@code java.net.HttpURLConnection}: a route to the provider that no Tollgate
 * instrumentation hooks (as a Vert.x or other framework-specific client would be). Blocking calls only.
 */
final class UrlConnectionHttpClient implements HttpClient {
    private final Duration timeout;

    private UrlConnectionHttpClient(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) throws HttpException {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(request.url()).toURL().openConnection();
            c.setRequestMethod(request.method().name());
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
                for (String value : h.getValue()) {
                    c.addRequestProperty(h.getKey(), value);
                }
            }
            if (request.body() != null) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(request.body().getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status >= 400) {
                throw new HttpException(status, body);
            }
            Map<String, List<String>> headers = new java.util.LinkedHashMap<>(c.getHeaderFields());
            headers.remove(null); // the status line
            return SuccessfulHttpResponse.builder().statusCode(status).headers(headers).body(body).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        listener.onError(new UnsupportedOperationException("streaming is not supported by this client"));
    }

    /** The builder LangChain4j's model builders take ({@code httpClientBuilder(...)}). */
    static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ofSeconds(30);

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            if (timeout != null) {
                connectTimeout = timeout;
            }
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            if (timeout != null) {
                readTimeout = timeout;
            }
            return this;
        }

        @Override
        public HttpClient build() {
            return new UrlConnectionHttpClient(readTimeout);
        }
    }
}
