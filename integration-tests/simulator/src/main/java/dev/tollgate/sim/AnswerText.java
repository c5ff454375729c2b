package dev.tollgate.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The text of an answer turn as it is delivered: the scripted text split into a few deltas, or (with
 * {@link ProviderSimulator.Builder#answerBytes}) a generated ASCII text of exactly n bytes, produced lazily in
 * {@value #LARGE_PIECE}-byte deltas so that hundreds of megabytes can be streamed without holding them.
 */
final class AnswerText {

    /** Delta size of a generated answer. */
    static final int LARGE_PIECE = 8192;

    /** The generated text repeats this line (ASCII, so bytes and chars agree; {@code \n} is JSON-escaped). */
    static final String PATTERN = "Tollgate simulator large answer: the quick brown fox jumps over the lazy dog 0123456789.\n";

    private final String text;
    private final long generatedBytes;

    private AnswerText(String text, long generatedBytes) {
        this.text = text;
        this.generatedBytes = generatedBytes;
    }

    static AnswerText of(Turn.Answer answer, long answerBytes) {
        return answerBytes >= 0 ? new AnswerText(null, answerBytes) : new AnswerText(answer.text(), -1);
    }

    /** The whole text (a generated one is built in memory; fine for non-streaming tests of moderate size). */
    String full() {
        if (text != null) {
            return text;
        }
        if (generatedBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a " + generatedBytes + "-byte answer can only be streamed");
        }
        return generate(0, (int) generatedBytes);
    }

    /** The deltas, in order: a scripted text in (at most) {@code parts} pieces, a generated one in fixed-size pieces. */
    List<String> pieces(int parts) {
        if (text != null) {
            return ChatCompletions.split(text, parts);
        }
        long count = (generatedBytes + LARGE_PIECE - 1) / LARGE_PIECE;
        return new java.util.AbstractList<>() {
            @Override
            public String get(int index) {
                long start = (long) index * LARGE_PIECE;
                return generate(start, (int) Math.min(LARGE_PIECE, generatedBytes - start));
            }

            @Override
            public int size() {
                return (int) count;
            }

            @Override
            public Iterator<String> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < count;
                    }

                    @Override
                    public String next() {
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                        return get(next++);
                    }
                };
            }
        };
    }

    private static String generate(long start, int length) {
        StringBuilder builder = new StringBuilder(length);
        int offset = (int) (start % PATTERN.length());
        while (builder.length() < length) {
            int take = Math.min(PATTERN.length() - offset, length - builder.length());
            builder.append(PATTERN, offset, offset + take);
            offset = 0;
        }
        return builder.toString();
    }

    /** The generated answer of {@code bytes} bytes (what {@code answerBytes(bytes)} sends as the answer text). */
    static String generated(int bytes) {
        return generate(0, bytes);
    }

    /** SHA-256 (lower-case hex) of the generated answer of {@code bytes} bytes, computed without holding it. */
    static String generatedSha256(long bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            AnswerText answer = new AnswerText(null, bytes);
            for (String piece : answer.pieces(0)) {
                digest.update(piece.getBytes(StandardCharsets.US_ASCII));
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
