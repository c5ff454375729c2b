package dev.tollgate.agent.llm;

import dev.tollgate.policy.budget.Usage;

/**
 * Reads usage, model and generated-text sizes out of a response's JSON documents (one per SSE event, NDJSON line, or
 * element of a streamed JSON array) and normalises usage to {@link Usage}'s disjoint buckets.
 *
 * <p>Each document's usage fields are collected on their own and merged into the call's only when the document
 * ends whole, field by field: the last report of a field wins. That one rule covers OpenAI's single usage chunk,
 * cumulative reports (Anthropic {@code message_start} then {@code message_delta}, Gemini and xAI per chunk) and never
 * sums.
 */
final class UsageReader implements JsonScanner.Sink, JsonPath {
  private static final int SLOTS = UsageSlots.COUNT;

  private final ApiFormat format;
  private final long[] doc = new long[SLOTS];
  private final long[] call = new long[SLOTS];
  private JsonScanner scanner;
  /** Depth of a document's root: 1 inside a streamed JSON array, else 0. */
  private int base;
  private boolean docHasUsage;
  private boolean callHasUsage;
  /** The current document is its response's last (see {@link #ended()}). */
  private boolean docLast;
  private boolean ended;
  /** A document that is the body's root value (not an element of a streamed array) ended whole. */
  private boolean rootEnded;
  private long textBytes;
  private String model;
  private String problem;

  UsageReader(ApiFormat format) {
    this.format = format;
    java.util.Arrays.fill(call, -1);
    java.util.Arrays.fill(doc, -1);
  }

  void attach(JsonScanner scanner) {
    this.scanner = scanner;
  }

  String model() {
    return model;
  }

  long textBytes() {
    return textBytes;
  }

  String problem() {
    return problem;
  }

  /**
   * Whether a whole document said the response is over: Anthropic's {@code message_stop}, the Responses API's
   * {@code response.completed} or {@code response.incomplete}, Ollama's {@code "done": true}. Nothing the call is
   * charged for comes after it.
   */
  boolean ended() {
    return ended;
  }

  /** Whether a root object (a whole JSON body, or an NDJSON line) has ended whole. */
  boolean rootEnded() {
    return rootEnded;
  }

  void problem(String p) {
    if (problem == null) {
      problem = p;
    }
  }

  // --- paths, relative to the document root

  private int rel() {
    return scanner.depth() - base;
  }

  private String k(int i) {
    return scanner.key(base + i);
  }

  @Override
  public int depth() {
    return rel();
  }

  @Override
  public String key(int i) {
    return k(i);
  }

  // --- sink

  @Override
  public void open(boolean array) {
    int depth = scanner.depth();
    if (depth == 0) {
      // a new root value; a root array (Gemini without alt=sse) holds the documents
      base = array ? 1 : 0;
      startDocument();
    } else if (depth == base) {
      startDocument();
    } else if (!array && is(Keys.ERROR)) {
      problem("the provider reported an error in the response");
    }
  }

  @Override
  public void close(boolean array) {
    if (scanner.depth() == base && !array) {
      endDocument();
    }
  }

  @Override
  public boolean wantString() {
    return isModelPath() || is(Keys.TYPE);
  }

  @Override
  public void string(long rawBytes, String captured) {
    int r = rel();
    if (r < 1) {
      return;
    }
    if (captured != null) {
      if (isModelPath()) {
        if (!captured.isEmpty()) {
          model = captured;
        }
        return;
      }
      if (is(Keys.TYPE) && (captured.equals("error") || captured.equals("response.failed"))) {
        problem("the provider reported an error in the response");
        return;
      }
      if (is(Keys.TYPE) && (captured.equals("message_stop") || captured.equals("response.completed")
          || captured.equals("response.incomplete"))) {
        docLast = true;
        return;
      }
    }
    if (is(Keys.ERROR)) {
      problem("the provider reported an error in the response");
    } else if (format.isTextPath(this)) {
      textBytes += rawBytes;
    }
  }

  @Override
  public void number(byte[] text, int length) {
    int r = rel();
    if (r < 1) {
      return;
    }
    int slot = format.slot(this);
    if (slot < 0) {
      return;
    }
    long v = parse(text, length);
    if (v == NEGATIVE) {
      problem("negative token count ignored: " + k(r - 1));
    } else if (v == INVALID) {
      problem("unreadable token count ignored: " + k(r - 1));
    } else {
      doc[slot] = v;
      docHasUsage = true;
    }
  }

  @Override
  public void literal(byte first) {
    // true/false/null: "usage": null in OpenAI chunks says nothing
    if (first == 't' && is(Keys.DONE)) {
      docLast = true;
    }
  }

  @Override
  public void error() {
    problem("invalid JSON in the response");
    java.util.Arrays.fill(doc, -1);
    docHasUsage = false;
    docLast = false;
  }

  void startDocument() {
    docLast = false;
    if (docHasUsage) {
      java.util.Arrays.fill(doc, -1);
      docHasUsage = false;
    }
  }

  private void endDocument() {
    if (docHasUsage) {
      for (int i = 0; i < SLOTS; i++) {
        if (doc[i] >= 0) {
          call[i] = doc[i];
        }
      }
      callHasUsage = true;
    }
    if (docLast) {
      ended = true;
    }
    if (base == 0) {
      rootEnded = true;
    }
    startDocument();
  }

  // --- what is where: the format's

  private boolean isModelPath() {
    return format.isModelPath(this);
  }


  /** The provider's usage in disjoint buckets, or null if it reported none. */
  Usage usage() {
    return callHasUsage ? format.usage(new UsageSlots(call.clone())) : null;
  }

  private static final long NEGATIVE = -1;
  private static final long INVALID = -2;

  /** A token count: a non-negative integer (an integral decimal like 12.0 is accepted). */
  static long parse(byte[] text, int length) {
    if (length <= 0 || length > text.length) {
      return INVALID;
    }
    if (text[0] == '-') {
      // "-0" is zero; anything else negative is a lie
      for (int i = 1; i < length; i++) {
        if (text[i] >= '1' && text[i] <= '9') {
          return NEGATIVE;
        }
      }
      return length > 1 ? 0 : INVALID;
    }
    long v = 0;
    for (int i = 0; i < length; i++) {
      byte c = text[i];
      if (c < '0' || c > '9') {
        try {
          double d = Double.parseDouble(new String(text, 0, length, java.nio.charset.StandardCharsets.US_ASCII));
          return d >= 0 && d == Math.rint(d) && d < 1e15 ? (long) d : INVALID;
        } catch (NumberFormatException e) {
          return INVALID;
        }
      }
      if (v > (Long.MAX_VALUE - 9) / 10) {
        return INVALID;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
