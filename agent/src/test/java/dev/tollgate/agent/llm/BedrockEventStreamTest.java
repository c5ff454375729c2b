package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.budget.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Bedrock ConverseStream's binary AWS event stream, metered as it passes: whatever the pieces the bytes arrive in,
 * the usage of the {@code metadata} event is read, and the bytes the app reads are the bytes that arrived.
 */
class BedrockEventStreamTest {
  private static final Endpoint STREAM = new Endpoint("aws", ApiFormat.BEDROCK_CONVERSE,
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0", true);
  private static final Endpoint WHOLE = new Endpoint("aws", ApiFormat.BEDROCK_CONVERSE,
      "us.anthropic.claude-3-5-sonnet-20241022-v2:0", false);
  private static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

  /** An event-stream message with string headers (type 7), as Bedrock frames each event. */
  static byte[] message(String eventType, String messageType, String payload) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    String[] headers = {":event-type", eventType, ":content-type", "application/json", ":message-type", messageType};
    for (int i = 0; i < headers.length; i += 2) {
      byte[] name = headers[i].getBytes(StandardCharsets.UTF_8);
      byte[] value = headers[i + 1].getBytes(StandardCharsets.UTF_8);
      h.write(name.length);
      h.writeBytes(name);
      h.write(7);
      h.write(value.length >>> 8);
      h.write(value.length & 0xff);
      h.writeBytes(value);
    }
    byte[] headerBytes = h.toByteArray();
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    int total = 12 + headerBytes.length + body.length + 4;
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putInt(total).putInt(headerBytes.length);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, 8);
    out.putInt((int) crc.getValue());
    out.put(headerBytes).put(body);
    crc.reset();
    crc.update(out.array(), 0, total - 4);
    out.putInt((int) crc.getValue());
    return out.array();
  }

  /** A ConverseStream answer in {@code pieces} text deltas, then the metadata event with this usage. */
  static byte[] stream(int pieces, String usage) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(message("messageStart", "event", "{\"role\":\"assistant\"}"));
    for (int i = 0; i < pieces; i++) {
      out.writeBytes(message("contentBlockDelta", "event",
          "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Paris, piece " + i + " \\u00e9\\\"\"}}"));
    }
    out.writeBytes(message("contentBlockStop", "event", "{\"contentBlockIndex\":0}"));
    out.writeBytes(message("messageStop", "event", "{\"stopReason\":\"end_turn\"}"));
    out.writeBytes(message("metadata", "event", "{\"usage\":" + usage + ",\"metrics\":{\"latencyMs\":7}}"));
    return out.toByteArray();
  }

  private static MeterResult meter(byte[] body, List<Integer> cuts) {
    ResponseMeter meter = ResponseMeter.start(STREAM, null, 200, EVENT_STREAM, null);
    byte[] before = body.clone();
    TreeSet<Integer> at = new TreeSet<>();
    for (int c : cuts) {
      at.add(Math.min(c, body.length));
    }
    at.add(body.length);
    int from = 0;
    for (int to : at) {
      if (to > from) {
        meter.accept(body, from, to - from);
        from = to;
      }
    }
    assertArrayEquals(before, body, "metering never changes the bytes the app reads");
    return meter.finish(true);
  }

  @Property(tries = 300)
  void anySplitOfTheStreamGivesTheSameUsageAndLeavesTheBytesAlone(@ForAll @IntRange(min = 0, max = 12) int pieces,
      @ForAll @IntRange(min = 0, max = 100_000) int input, @ForAll @IntRange(min = 0, max = 100_000) int output,
      @ForAll @IntRange(min = 0, max = 5_000) int cacheRead,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 3000) Integer> cuts) {
    byte[] body = stream(pieces, "{\"inputTokens\":" + input + ",\"outputTokens\":" + output + ",\"totalTokens\":"
        + (input + output + cacheRead) + ",\"cacheReadInputTokens\":" + cacheRead + ",\"cacheWriteInputTokens\":0}");
    MeterResult result = meter(body, cuts);
    assertNull(result.problem(), result::toString);
    assertEquals(new Usage(input, cacheRead, 0, output, 0), result.usage());
    assertTrue(pieces == 0 || result.estimatedOutputTokens() > 0, result::toString);
  }

  @Provide
  Arbitrary<Integer> corruptAt() {
    return Arbitraries.integers().between(0, 400);
  }

  @Property(tries = 200)
  void aCorruptByteIsAlwaysAProblem(@ForAll("corruptAt") int at, @ForAll @IntRange(min = 1, max = 255) int flip) {
    byte[] body = stream(2, "{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30}");
    body[at % body.length] ^= (byte) flip;
    // CRC32 catches every error burst of up to 32 bits: in a prelude, its headers, its payload or its CRCs
    assertNotNull(meter(body, List.of()).problem());
  }

  @Test
  void aStreamCutBetweenMessagesBeforeTheMetadataHasNoUsage() {
    byte[] whole = stream(3, "{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30}");
    byte[] last = message("metadata", "event",
        "{\"usage\":{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30},\"metrics\":{\"latencyMs\":7}}");
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - last.length);
    ResponseMeter meter = ResponseMeter.start(STREAM, null, 200, EVENT_STREAM, null);
    meter.accept(cut, 0, cut.length);
    MeterResult result = meter.finish(false);
    assertNull(result.usage());
    assertTrue(result.estimatedOutputTokens() > 0);
  }

  @Test
  void theMetadataEventIsTheFinalReportEvenBeforeTheBodyEnds() {
    byte[] whole = stream(2, "{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30}");
    ResponseMeter meter = ResponseMeter.start(STREAM, null, 200, EVENT_STREAM, null);
    meter.accept(whole, 0, whole.length - 1);
    assertTrue(!meter.usageFinal(), "the metadata message is not whole yet");
    meter.accept(whole, whole.length - 1, 1);
    assertTrue(meter.usageFinal());
    assertEquals(new Usage(10, 0, 0, 20, 0), meter.finish(true).usage());
  }

  @Test
  void aStreamCutInsideAMessageIsAProblem() {
    byte[] whole = stream(1, "{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30}");
    ResponseMeter meter = ResponseMeter.start(STREAM, null, 200, EVENT_STREAM, null);
    meter.accept(whole, 0, whole.length - 5);
    MeterResult result = meter.finish(true);
    assertNotNull(result.problem());
  }

  @Test
  void anExceptionMessageIsTheProviderFailingMidStream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(message("messageStart", "event", "{\"role\":\"assistant\"}"));
    out.writeBytes(message("throttlingException", "exception", "{\"message\":\"slow down\"}"));
    byte[] body = out.toByteArray();
    MeterResult result = meter(body, List.of(7, 30));
    assertEquals("the provider reported an error in the response", result.problem());
    assertNull(result.usage());
  }

  @Test
  void theConverseResponseReportsUsageAndItsText() {
    byte[] body = ("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Paris is the capital.\"}]}},"
        + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1000,\"outputTokens\":500,\"totalTokens\":1700,"
        + "\"cacheReadInputTokens\":200,\"cacheWriteInputTokens\":0},\"metrics\":{\"latencyMs\":7}}")
        .getBytes(StandardCharsets.UTF_8);
    ResponseMeter meter = ResponseMeter.start(WHOLE, null, 200, "application/json", null);
    meter.accept(body, 0, body.length);
    MeterResult result = meter.finish(true);
    assertNull(result.problem());
    assertEquals(new Usage(1000, 200, 0, 500, 0), result.usage());
    assertTrue(result.estimatedOutputTokens() > 0);
  }

  @Test
  void framesAreCountedWhateverTheHeaders() {
    List<String> seen = new ArrayList<>();
    EventStreamFramer framer = new EventStreamFramer(new EventStreamFramer.Events() {
      @Override
      public void start(String messageType, String eventType) {
        seen.add(messageType + "/" + eventType);
      }

      @Override
      public void payload(byte[] b, int off, int len) {}

      @Override
      public void end() {}
    });
    byte[] body = stream(2, "{\"inputTokens\":1,\"outputTokens\":2,\"totalTokens\":3}");
    for (byte b : body) {
      framer.feed(new byte[] {b}, 0, 1);
    }
    assertNull(framer.problem());
    assertTrue(framer.atBoundary());
    assertEquals(List.of("event/messageStart", "event/contentBlockDelta", "event/contentBlockDelta",
        "event/contentBlockStop", "event/messageStop", "event/metadata"), seen);
  }
}
