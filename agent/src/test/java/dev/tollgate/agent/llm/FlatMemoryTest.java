package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.policy.budget.Usage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Bodies are parsed as they pass: what a meter holds does not grow with the body or its lines. */
class FlatMemoryTest {
  private static final int MB = 1024 * 1024;

  private static long allocatedByThisThread() {
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    return threads.getCurrentThreadAllocatedBytes();
  }

  @Test
  void hundredMegabyteStreamIn8KbChunksKeepsTheMeterSmall() {
    byte[] event = ("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"abcdefghi\"},\"finish_reason\":null}],\"usage\":null}"
        + "\n\n").getBytes(StandardCharsets.UTF_8);
    byte[] last = ("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3000000}}\n\n"
        + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
    ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200, "text/event-stream",
        null);
    byte[] chunk = new byte[8192];
    int fill = 0;
    long events = 0;
    long total = 0;
    int maxRetained = 0;
    while (total < 100L * MB) {
      // events laid end to end, cut at 8 KB whatever the event boundaries
      for (byte b : event) {
        chunk[fill++] = b;
        if (fill == chunk.length) {
          m.accept(chunk, 0, fill);
          total += fill;
          fill = 0;
          if ((total & (MB - 1)) == 0) {
            maxRetained = Math.max(maxRetained, m.retainedBytes());
          }
        }
      }
      events++;
    }
    m.accept(chunk, 0, fill);
    m.accept(last, 0, last.length);
    MeterResult r = m.finish(true);
    assertEquals(new Usage(12, 0, 0, 3000000, 0), r.usage());
    assertEquals((events * 9 + 2) / 3, r.estimatedOutputTokens());
    assertNull(r.problem());
    assertTrue(maxRetained > 0 && maxRetained < MB, "retained " + maxRetained);
  }

  @Test
  void tenMegabyteSseLineIsNeverHeldWhole() {
    byte[] head = "data: {\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
        .getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4000000}}\n\ndata: [DONE]\n\n"
        .getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[head.length + 10 * MB + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    Arrays.fill(body, head.length, head.length + 10 * MB, (byte) 'x');
    System.arraycopy(tail, 0, body, head.length + 10 * MB, tail.length);
    for (boolean gzip : new boolean[] {false, true}) {
      byte[] wire = gzip ? Fixtures.gzip(body) : body;
      ResponseMeter m = ResponseMeter.start(Fixtures.endpoint(ApiFormat.OPENAI_CHAT), null, 200,
          "text/event-stream", gzip ? "gzip" : null);
      long before = allocatedByThisThread();
      for (int off = 0; off < wire.length; off += 8192) {
        m.accept(wire, off, Math.min(8192, wire.length - off));
      }
      long allocated = allocatedByThisThread() - before;
      assertTrue(m.retainedBytes() < MB, "retained " + m.retainedBytes());
      // the 10 MB string was counted, not copied (gzip: the inflater's own buffers)
      assertTrue(allocated < MB, "allocated " + allocated);
      MeterResult r = m.finish(true);
      assertEquals(new Usage(5, 0, 0, 4000000, 0), r.usage());
      assertEquals((10L * MB + 2) / 3, r.estimatedOutputTokens());
      assertEquals("gpt-4o", r.responseModel());
      assertNull(r.problem());
    }
  }
}
