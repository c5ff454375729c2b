package dev.tollgate.agent.llm;

import dev.tollgate.policy.budget.Usage;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Meters one LLM response as its bytes pass to the app: decompresses, frames (SSE, NDJSON, JSON, streamed JSON
 * array) and reads usage with fixed-size buffers, whatever the body's size or line lengths.
 *
 * <p>The framing is sniffed from the first significant byte ({@code {} or {@code [} is JSON or NDJSON, anything else
 * SSE), so a wrong {@code Content-Type} does not matter. Nothing thrown while metering escapes: the app's bytes are
 * never at risk, and the result carries a {@code problem} instead.
 */
public final class ResponseMeter {
  private static final int UNDECIDED = 0;
  private static final int JSON = 1;
  private static final int SSE = 2;
  private static final int IGNORE = 3;
  /** AWS event stream (Bedrock ConverseStream): binary messages, each payload one JSON document. */
  private static final int EVENT_STREAM = 4;

  private static final int EVENT_NONE = 0;
  private static final int EVENT_JSON = 1;
  private static final int EVENT_SKIP = 2;

  private final boolean success;
  /**
   * The request asked for one JSON document, not a stream: the end of its root object is the end of what is
   * metered, whether or not the app reads on to the end of the body (a JSON parser stops at the closing brace).
   */
  private final boolean single;
  private final String contentType;
  private final UsageReader reader;
  private final Decompressor decompressor;
  private JsonScanner scanner;
  private SseFramer sse;
  private EventStreamFramer eventStream;
  private int mode;
  private int bomSeen;
  private int eventKind = EVENT_NONE;
  private byte[] scratch;
  private String problem;
  private MeterResult result;

  private ResponseMeter(Endpoint endpoint, LlmRequest request, int status, String contentType,
      String contentEncoding) {
    this.success = status >= 200 && status < 300 && endpoint != null;
    this.single = request != null && !request.stream();
    this.contentType = contentType;
    this.reader = new UsageReader(endpoint == null ? ApiFormat.OPENAI_CHAT : endpoint.format());
    Decompressor.Out sink = this::decoded;
    String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    this.mode = success ? UNDECIDED : IGNORE;
    switch (encoding) {
      case "", "identity" -> this.decompressor = null;
      case "gzip", "x-gzip" -> this.decompressor = Decompressor.gzip(sink);
      case "deflate" -> this.decompressor = Decompressor.deflate(sink);
      default -> {
        this.decompressor = null;
        if (success) {
          this.mode = IGNORE;
          this.problem = "unsupported content-encoding: usage not read";
        }
      }
    }
    if (mode == UNDECIDED && contentType != null
        && contentType.toLowerCase(Locale.ROOT).contains("vnd.amazon.eventstream")) {
      // binary framing: nothing to sniff
      mode = EVENT_STREAM;
      scanner = new JsonScanner(reader, false);
      reader.attach(scanner);
      eventStream = new EventStreamFramer(new Messages());
    }
  }

  /**
   * Starts metering a response.
   *
   * @param request         what the request asked for (may be null)
   * @param status          the HTTP status: anything but 2xx is not metered (usage null, estimate 0)
   * @param contentEncoding {@code gzip}, {@code deflate} or none/identity; others are not read
   */
  public static ResponseMeter start(Endpoint endpoint, LlmRequest request, int status, String contentType,
      String contentEncoding) {
    return new ResponseMeter(endpoint, request, status, contentType, contentEncoding);
  }

  /** The response bytes {@code bytes.position() .. limit()}; the buffer itself is left untouched. */
  public void accept(ByteBuffer bytes) {
    if (bytes == null || mode == IGNORE) {
      return;
    }
    try {
      ByteBuffer view = bytes.duplicate();
      if (view.hasArray()) {
        accept(view.array(), view.arrayOffset() + view.position(), view.remaining());
        return;
      }
      synchronized (this) {
        if (scratch == null || scratch.length < Math.min(view.remaining(), 8192)) {
          scratch = new byte[Math.min(Math.max(view.remaining(), 512), 8192)];
        }
        while (view.hasRemaining() && result == null) {
          int n = Math.min(view.remaining(), scratch.length);
          view.get(scratch, 0, n);
          acceptChecked(scratch, 0, n);
        }
      }
    } catch (Throwable t) {
      internalError();
    }
  }

  public synchronized void accept(byte[] b, int off, int len) {
    if (b == null || len <= 0 || mode == IGNORE || result != null) {
      return;
    }
    if (off < 0 || off + len > b.length || off + len < 0) {
      problem("accept called with a range outside the array");
      return;
    }
    acceptChecked(b, off, len);
  }

  private void acceptChecked(byte[] b, int off, int len) {
    if (mode == IGNORE) {
      return;
    }
    try {
      if (decompressor != null) {
        decompressor.feed(b, off, len);
        if (decompressor.problem() != null && problem == null) {
          problem(decompressor.problem());
        }
      } else {
        decoded(b, off, len);
      }
    } catch (Throwable t) {
      internalError();
    }
  }

  /**
   * The response ended. Idempotent: the first call decides the result.
   *
   * @param complete true if the body was read to its end; false if the stream was abandoned or failed
   */
  public synchronized MeterResult finish(boolean complete) {
    if (result != null) {
      return result;
    }
    Usage usage = null;
    String model = null;
    long estimate = 0;
    try {
      if (success) {
        if (decompressor != null && mode != IGNORE) {
          String truncated = decompressor.finish();
          if (decompressor.problem() != null) {
            problem(decompressor.problem());
          } else if (truncated != null && complete && !usageFinal()) {
            // a body ended by its last event before the compressed stream's trailer is whole
            problem(truncated);
          }
        }
        if (mode == EVENT_STREAM) {
          if (eventStream.problem() != null) {
            problem(eventStream.problem());
          } else if (complete && !eventStream.atBoundary()) {
            problem("the response ended in the middle of an event-stream message");
          }
        } else if (mode == SSE) {
          finishingSse = true;
          finishingComplete = complete;
          sse.finish();
        } else if (mode == JSON) {
          scanner.endOfInput();
          if (complete && !scanner.atRoot() && !scanner.failed()) {
            problem("the response ended in the middle of a JSON document");
          }
        }
        usage = reader.usage();
        model = reader.model();
        long text = reader.textBytes();
        estimate = text == 0 ? 0 : Math.max(1, (text + 2) / 3);
        if (reader.problem() != null) {
          problem(reader.problem());
        }
        if (usage == null && problem == null && mode == SSE && !sawEvent) {
          problem("the response is neither JSON nor server-sent events");
        }
        if (usage == null && problem == null && contentType != null && !expectedContentType(contentType)) {
          problem("unexpected content-type: usage not found");
        }
      }
    } catch (Throwable t) {
      internalError();
    }
    result = new MeterResult(usage, model, estimate, complete, problem);
    return result;
  }

  /** Bytes of memory this meter holds on to: fixed-size buffers only, whatever passed through it. */
  synchronized int retainedBytes() {
    int n = scratch == null ? 0 : scratch.length;
    if (decompressor != null) {
      n += decompressor.retainedBytes();
    }
    if (scanner != null) {
      n += scanner.retainedBytes();
    }
    if (sse != null) {
      n += sse.retainedBytes();
    }
    if (eventStream != null) {
      n += eventStream.retainedBytes();
    }
    return n;
  }

  private static boolean expectedContentType(String contentType) {
    String ct = contentType.toLowerCase(Locale.ROOT);
    return ct.contains("json") || ct.contains("event-stream") || ct.contains("eventstream");
  }

  // --- decoded bytes: framing

  private void decoded(byte[] b, int off, int len) {
    if (mode == UNDECIDED) {
      int end = off + len;
      while (off < end && mode == UNDECIDED) {
        byte c = b[off];
        if (bomSeen < 3 && (c & 0xff) == BOM[bomSeen]) {
          bomSeen++;
          off++;
          continue;
        }
        bomSeen = 3;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          off++;
          continue;
        }
        if (c == '{' || c == '[') {
          mode = JSON;
          scanner = new JsonScanner(reader, true);
        } else {
          mode = SSE;
          scanner = new JsonScanner(reader, false);
          sse = new SseFramer(new Events());
        }
        reader.attach(scanner);
      }
      len = end - off;
      if (len == 0) {
        return;
      }
    }
    if (mode == JSON) {
      scanner.feed(b, off, len);
    } else if (mode == SSE) {
      sse.feed(b, off, len);
    } else if (mode == EVENT_STREAM) {
      eventStream.feed(b, off, len);
    }
  }

  private static final int[] BOM = {0xEF, 0xBB, 0xBF};
  private boolean finishingSse;
  private boolean sawEvent;
  private boolean finishingComplete;

  /** OpenAI's last event's data. */
  private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};

  /**
   * One SSE event's data is one JSON document; data that is not an object is skipped, and {@code [DONE]} (OpenAI's
   * last event) noted.
   */
  private final class Events implements SseFramer.Events {
    /** How much of a skipped event's data matches {@code [DONE]} so far; -1 once it cannot. */
    private int doneMatched;

    @Override
    public void data(byte[] b, int off, int len) {
      int end = off + len;
      if (eventKind == EVENT_NONE) {
        while (off < end && (b[off] == ' ' || b[off] == '\t')) {
          off++;
        }
        if (off == end) {
          return;
        }
        eventKind = b[off] == '{' ? EVENT_JSON : EVENT_SKIP;
        doneMatched = 0;
        scanner.reset();
      }
      if (eventKind == EVENT_JSON) {
        scanner.feed(b, off, end - off);
      } else {
        for (int i = off; i < end && doneMatched >= 0; i++) {
          doneMatched = doneMatched < DONE.length && b[i] == DONE[doneMatched] ? doneMatched + 1
              : doneMatched == DONE.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') ? doneMatched : -1;
        }
      }
    }

    @Override
    public void dataLineBreak() {
      if (eventKind == EVENT_JSON) {
        scanner.feed(NEWLINE, 0, 1);
      } else if (eventKind == EVENT_SKIP) {
        doneMatched = -1;
      }
    }

    @Override
    public void dispatch() {
      sawEvent = true;
      if (eventKind == EVENT_JSON) {
        scanner.endOfInput();
        if (!scanner.atRoot() && !scanner.failed() && (!finishingSse || finishingComplete)) {
          problem("an event ended in the middle of its JSON data");
        }
        scanner.reset();
      } else if (eventKind == EVENT_SKIP && doneMatched == DONE.length) {
        usageFinal = true;
      }
      eventKind = EVENT_NONE;
    }
  }

  private static final byte[] NEWLINE = {'\n'};

  /**
   * One event-stream message's payload is one JSON document (Converse's events: {@code messageStart},
   * {@code contentBlockDelta}, ..., {@code metadata} with the usage). An {@code exception} or {@code error} message is
   * the provider failing mid-stream.
   */
  private final class Messages implements EventStreamFramer.Events {
    private boolean json;
    private boolean metadata;

    @Override
    public void start(String messageType, String eventType) {
      sawEvent = true;
      metadata = "metadata".equals(eventType);
      if (messageType != null && !messageType.equals("event")) {
        problem("the provider reported an error in the response");
      }
      json = messageType == null || messageType.equals("event");
      scanner.reset();
    }

    @Override
    public void payload(byte[] b, int off, int len) {
      if (json) {
        scanner.feed(b, off, len);
      }
    }

    @Override
    public void end() {
      if (json) {
        scanner.endOfInput();
        if (!scanner.atRoot() && !scanner.failed()) {
          problem("an event-stream message ended in the middle of its JSON payload");
        }
        scanner.reset();
        if (metadata && reader.usage() != null) {
          usageFinal = true;
        }
      }
      json = false;
    }
  }

  /** The stream's last event was read whole (ConverseStream's {@code metadata}, OpenAI's {@code [DONE]}). */
  private boolean usageFinal;

  /**
   * True once the response's last event has been read whole and nothing more is to be metered: ConverseStream's
   * {@code metadata} event, OpenAI's {@code [DONE]}, Anthropic's {@code message_stop}, the Responses API's
   * {@code response.completed}, Ollama's {@code "done": true}, and the closing brace of a response the request did
   * not ask to be streamed (a JSON parser stops there and the app closes the body: chunked or decompressed bodies
   * have no length to tell it was all read). A client hands that event to the app before the body's
   * end reaches the metered stream (the AWS SDK's publisher; a connection the provider keeps open a moment), and the
   * app may send its next call at once: the call is settled as soon as the meter has read the event, and the client
   * adapters meter bytes on their way to the app's reader (the Vert.x and Reactor Netty advice on entry, the
   * wrapped streams and subscribers before they pass the bytes on).
   */
  public synchronized boolean usageFinal() {
    return usageFinal || reader.ended() || single && mode == JSON && reader.rootEnded();
  }

  private void problem(String p) {
    if (problem == null) {
      problem = p;
    }
  }

  private void internalError() {
    problem("internal error while metering: usage may be incomplete");
    mode = IGNORE;
  }
}
