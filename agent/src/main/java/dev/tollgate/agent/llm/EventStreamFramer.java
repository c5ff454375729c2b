package dev.tollgate.agent.llm;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Splits an AWS event stream ({@code application/vnd.amazon.eventstream}, the framing of Bedrock's ConverseStream
 * and InvokeModelWithResponseStream) into messages as its bytes arrive, in pieces of any size. Each message is a
 * prelude (total length, headers length, both big-endian 32-bit, and the CRC32 of those 8 bytes), headers, a
 * payload and the CRC32 of everything before it. The payload is handed on in the pieces it arrived in, never
 * collected; only the headers of one message are held (up to {@link #MAX_HEADERS} bytes), to read
 * {@code :message-type} and {@code :event-type}. A bad CRC or an impossible length stops framing with a problem: the
 * bytes after it cannot be trusted to be messages.
 */
final class EventStreamFramer {
  /** A message's prelude and trailing CRC. */
  static final int PRELUDE = 12;
  static final int MAX_HEADERS = 64 * 1024;
  /** AWS caps a message at 16 MiB. */
  static final long MAX_MESSAGE = 16L * 1024 * 1024;

  interface Events {
    /** A message's payload follows; {@code messageType} ({@code event}, {@code exception}, {@code error}) may be null. */
    void start(String messageType, String eventType);

    void payload(byte[] b, int off, int len);

    /** The message ended with a good CRC. */
    void end();
  }

  private static final int IN_PRELUDE = 0;
  private static final int IN_HEADERS = 1;
  private static final int IN_PAYLOAD = 2;
  private static final int IN_CRC = 3;
  private static final int FAILED = 4;

  private final Events events;
  private final CRC32 crc = new CRC32();
  private final byte[] prelude = new byte[PRELUDE];
  private final byte[] trailer = new byte[4];
  private byte[] headers;
  private int state = IN_PRELUDE;
  private int filled;
  private long payloadLeft;
  private int headersLength;
  private long messages;
  private String problem;

  EventStreamFramer(Events events) {
    this.events = events;
  }

  /** Null while the framing is sound. */
  String problem() {
    return problem;
  }

  long messages() {
    return messages;
  }

  /** True between messages: the stream may end here. */
  boolean atBoundary() {
    return state == IN_PRELUDE && filled == 0;
  }

  int retainedBytes() {
    return PRELUDE + 4 + (headers == null ? 0 : headers.length);
  }

  void feed(byte[] b, int off, int len) {
    int end = off + len;
    while (off < end && state != FAILED) {
      switch (state) {
        case IN_PRELUDE -> {
          int n = Math.min(PRELUDE - filled, end - off);
          System.arraycopy(b, off, prelude, filled, n);
          off += n;
          filled += n;
          if (filled == PRELUDE) {
            startMessage();
          }
        }
        case IN_HEADERS -> {
          int n = Math.min(headersLength - filled, end - off);
          crc.update(b, off, n);
          if (headers != null) {
            System.arraycopy(b, off, headers, filled, n);
          }
          off += n;
          filled += n;
          if (filled == headersLength) {
            startPayload();
          }
        }
        case IN_PAYLOAD -> {
          int n = (int) Math.min(payloadLeft, end - off);
          crc.update(b, off, n);
          events.payload(b, off, n);
          off += n;
          payloadLeft -= n;
          if (payloadLeft == 0) {
            state = IN_CRC;
            filled = 0;
          }
        }
        case IN_CRC -> {
          int n = Math.min(4 - filled, end - off);
          System.arraycopy(b, off, trailer, filled, n);
          off += n;
          filled += n;
          if (filled == 4) {
            if ((int) crc.getValue() != readInt(trailer, 0)) {
              fail("event-stream message CRC mismatch");
              return;
            }
            messages++;
            events.end();
            state = IN_PRELUDE;
            filled = 0;
          }
        }
        default -> {
          return;
        }
      }
    }
  }

  private void startMessage() {
    long total = readInt(prelude, 0) & 0xffffffffL;
    long headerBytes = readInt(prelude, 4) & 0xffffffffL;
    crc.reset();
    crc.update(prelude, 0, 8);
    if ((int) crc.getValue() != readInt(prelude, 8)) {
      fail("event-stream prelude CRC mismatch");
      return;
    }
    if (total < PRELUDE + 4 + headerBytes || total > MAX_MESSAGE) {
      fail("event-stream message of impossible length " + total);
      return;
    }
    crc.update(prelude, 8, 4);
    headersLength = (int) headerBytes;
    payloadLeft = total - PRELUDE - 4 - headerBytes;
    headers = headersLength <= MAX_HEADERS
        ? (headers != null && headers.length >= headersLength ? headers : new byte[headersLength]) : null;
    filled = 0;
    state = IN_HEADERS;
    if (headersLength == 0) {
      startPayload();
    }
  }

  private void startPayload() {
    String messageType = null;
    String eventType = null;
    if (headers != null) {
      int i = 0;
      while (i < headersLength) {
        int nameLength = headers[i] & 0xff;
        if (i + 1 + nameLength + 1 > headersLength) {
          break;
        }
        String name = new String(headers, i + 1, nameLength, StandardCharsets.UTF_8);
        i += 1 + nameLength;
        int type = headers[i++] & 0xff;
        int valueLength = switch (type) {
          case 0, 1 -> 0;
          case 2 -> 1;
          case 3 -> 2;
          case 4 -> 4;
          case 5, 8 -> 8;
          case 9 -> 16;
          case 6, 7 -> i + 2 <= headersLength ? 2 + (((headers[i] & 0xff) << 8) | (headers[i + 1] & 0xff)) : -1;
          default -> -1;
        };
        if (valueLength < 0 || i + valueLength > headersLength) {
          break;
        }
        if (type == 7 && (name.equals(":message-type") || name.equals(":event-type"))) {
          String value = new String(headers, i + 2, valueLength - 2, StandardCharsets.UTF_8);
          if (name.equals(":message-type")) {
            messageType = value;
          } else {
            eventType = value;
          }
        }
        i += valueLength;
      }
    }
    events.start(messageType, eventType);
    state = payloadLeft == 0 ? IN_CRC : IN_PAYLOAD;
    filled = 0;
  }

  private void fail(String p) {
    if (problem == null) {
      problem = p;
    }
    state = FAILED;
  }

  private static int readInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }
}
