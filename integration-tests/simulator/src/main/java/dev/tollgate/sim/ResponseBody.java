package dev.tollgate.sim;

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Writes one response body and records what went on the wire: SHA-256 and length of the body bytes before
 * compression, and of the gzip bytes when the body is gzipped. Bodies are written in slices of at most
 * {@code splitBytes} bytes with a flush after each (so events arrive split at arbitrary byte positions), and
 * streams are flushed after every event. The record is made before the last byte can reach the client (fixed-length
 * bodies: before writing; streams: before the terminating chunk), so a test that has read the body sees it.
 */
final class ResponseBody {

    /** Bodies up to this size are kept for {@link ProviderSimulator#lastResponseBytes()}. */
    static final int KEEP_LIMIT = 16 << 20;

    /** Receives each finished response (null: nothing is recorded) and (when at most {@link #KEEP_LIMIT} bytes) its plain body bytes. */
    interface Recorder {
        void record(RecordedResponse response, byte[] plainBytesOrNull);
    }

    private final HttpExchange exchange;
    private final int status;
    private final String contentType;
    private final boolean gzip;
    private final int splitBytes;
    private final Recorder recorder;
    private final MessageDigest plainDigest = sha256();
    private final DigestingStream wire;
    private final OutputStream out;
    private ByteArrayOutputStream kept;
    private long plainCount;
    private long endDelayMillis;

    private ResponseBody(HttpExchange exchange, int status, String contentType, boolean gzip, int splitBytes,
                         Recorder recorder) throws IOException {
        this.exchange = exchange;
        this.status = status;
        this.contentType = contentType;
        this.gzip = gzip;
        this.splitBytes = splitBytes;
        this.recorder = recorder;
        this.kept = recorder == null ? null : new ByteArrayOutputStream();
        this.wire = new DigestingStream(exchange.getResponseBody());
        this.out = gzip ? new GZIPOutputStream(wire, 8192, true) : wire;
    }

    /** Starts a chunked (streamed) body: headers go out now. */
    static ResponseBody stream(HttpExchange exchange, int status, String contentType, boolean gzip, int splitBytes,
                               Recorder recorder) throws IOException {
        headers(exchange, contentType, gzip);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(status, 0);
        return new ResponseBody(exchange, status, contentType, gzip, splitBytes, recorder);
    }

    /**
     * The stream's last bytes are held back this long after its last event was flushed: the connection stays open, as
     * a provider's or a proxy's may, after everything the client needs has arrived.
     */
    ResponseBody endDelay(long millis) {
        this.endDelayMillis = millis;
        return this;
    }

    /** Sends a whole body with {@code Content-Length} (of the gzip bytes when gzipped). */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body, boolean gzip, int splitBytes,
                     Recorder recorder) throws IOException {
        byte[] wireBytes = body;
        if (gzip) {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream(body.length / 4 + 64);
            try (GZIPOutputStream zip = new GZIPOutputStream(compressed)) {
                zip.write(body);
            }
            wireBytes = compressed.toByteArray();
        }
        if (recorder != null) {
            recorder.record(new RecordedResponse(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), status,
                    contentType, body.length, hex(sha256().digest(body)), gzip ? (long) wireBytes.length : -1,
                    gzip ? hex(sha256().digest(wireBytes)) : null), body.length <= KEEP_LIMIT ? body : null);
        }
        headers(exchange, contentType, gzip);
        exchange.sendResponseHeaders(status, wireBytes.length);
        OutputStream raw = exchange.getResponseBody();
        int slice = splitBytes > 0 ? splitBytes : wireBytes.length;
        for (int start = 0; start < wireBytes.length; start += slice) {
            raw.write(wireBytes, start, Math.min(slice, wireBytes.length - start));
            raw.flush();
        }
    }

    private static void headers(HttpExchange exchange, String contentType, boolean gzip) {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
        }
    }

    /** Writes one event (or line) and flushes it. */
    void event(String text) throws IOException {
        event(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one event's bytes (a binary event-stream message) and flushes them. */
    void event(byte[] bytes) throws IOException {
        plainDigest.update(bytes);
        plainCount += bytes.length;
        if (kept != null) {
            if (kept.size() + (long) bytes.length <= KEEP_LIMIT) {
                kept.write(bytes);
            } else {
                kept = null;
            }
        }
        int slice = splitBytes > 0 ? splitBytes : bytes.length;
        for (int start = 0; start < bytes.length; start += slice) {
            out.write(bytes, start, Math.min(slice, bytes.length - start));
            out.flush();
        }
        if (bytes.length == 0) {
            out.flush();
        }
    }

    /** Ends the body (gzip trailer included) and records it; the exchange's close sends the last chunk. */
    void finish() throws IOException {
        if (endDelayMillis > 0) { // every event was flushed as it was written
            try {
                Thread.sleep(endDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (out instanceof GZIPOutputStream zip) {
            zip.finish();
        }
        out.flush();
        if (recorder != null) {
            recorder.record(new RecordedResponse(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), status,
                    contentType, plainCount, hex(plainDigest.digest()), gzip ? wire.count : -1,
                    gzip ? hex(wire.digest.digest()) : null), kept == null ? null : kept.toByteArray());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** SHA-256 (lower-case hex) of these bytes, as {@link RecordedResponse#sha256()} reports it. */
    static String sha256Hex(byte[] bytes) {
        return hex(sha256().digest(bytes));
    }

    /** Counts and digests what is written to the exchange (the gzip bytes when gzipped). */
    private static final class DigestingStream extends FilterOutputStream {
        final MessageDigest digest = sha256();
        long count;

        DigestingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            digest.update((byte) b);
            count++;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            count += len;
            out.write(b, off, len);
        }
    }
}
