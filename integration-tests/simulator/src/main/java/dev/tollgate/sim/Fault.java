package dev.tollgate.sim;

/**
 * A way a provider's response can go wrong ({@link ProviderSimulator.Builder#fault}), for hardening tests: the
 * client, and anything metering it, must see the same thing with or without an agent in between. Applied to the
 * OpenAI Chat Completions and Anthropic Messages replies (JSON and streamed); other formats ignore it.
 */
public enum Fault {
    /** A well-formed reply (the default). */
    NONE,
    /**
     * The body ends cleanly at the HTTP level but in the middle of the content: a stream stops halfway through an
     * event, after about half of its events; a JSON reply stops halfway through the document (its
     * {@code Content-Length} says so).
     */
    TRUNCATED,
    /**
     * Streams only: every event's data is split over two {@code data:} lines with a comment line between them
     * (legal SSE), and between events come a comment, a line without a colon, unknown fields, an {@code id:} and
     * {@code retry:} with junk, an event whose data is not JSON, and non-ASCII (valid UTF-8) text.
     */
    GARBLED_SSE,
    /** Status 200 with a body that is not JSON: a stray token after the first {@code {} of the reply, or of every event's data. */
    INVALID_JSON,
    /** No {@code usage} anywhere in the reply. */
    USAGE_MISSING,
    /** Every token count in the usage is negative. */
    NEGATIVE_USAGE,
    /** {@code Content-Type: text/plain} on a JSON reply, {@code application/json} on a stream. */
    WRONG_CONTENT_TYPE,
    /** {@code Content-Encoding: gzip} on bytes that are not gzip. */
    CORRUPT_GZIP,
    /**
     * {@code Content-Encoding: br} on the reply's bytes as they are (not brotli): what a client that asked for brotli
     * and decodes it itself receives, as far as anything between it and the provider can read it (nothing).
     */
    BROTLI_CLAIMED,
    /**
     * Zero-length writes, each flushed, before and after every event, and an empty SSE comment event ({@code :}) between
     * events. (The server's chunked encoder sends no data for an empty write: on the wire a zero-size chunk is the end
     * of the body, which is what {@link #TRUNCATED} covers.)
     */
    EMPTY_CHUNKS,
    /** The answer text is {@value ProviderSimulator#HUGE_LINE_BYTES} bytes sent as one delta: a single 10 MiB SSE line, or JSON document. */
    HUGE_LINE,
    /**
     * The TCP connection is reset (RST, {@code SO_LINGER 0}) after {@value ProviderSimulator#RESET_AFTER_BODY_BYTES}
     * bytes of the response body have reached the client.
     */
    CONNECTION_RESET
}
