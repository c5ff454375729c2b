package dev.tollgate.sim;

/**
 * A response body as the simulator wrote it. {@code sha256} is the SHA-256 (lower-case hex) of the exact body bytes
 * before compression, so a test can prove the application read byte-identical content; when the body was gzipped
 * ({@code Content-Encoding: gzip}) {@code gzipBytes} / {@code gzipSha256} describe the compressed bytes on the wire,
 * else they are {@code -1} / {@code null}.
 *
 * @param method      the request method
 * @param path        the request path (no query)
 * @param status      the HTTP status
 * @param contentType the {@code Content-Type} sent
 * @param bytes       the body length before compression
 * @param sha256      SHA-256 of the body before compression
 * @param gzipBytes   the gzip body length, or -1 when not gzipped
 * @param gzipSha256  SHA-256 of the gzip body, or {@code null} when not gzipped
 */
public record RecordedResponse(String method, String path, int status, String contentType, long bytes, String sha256,
                               long gzipBytes, String gzipSha256) {

    public boolean gzipped() {
        return gzipSha256 != null;
    }
}
