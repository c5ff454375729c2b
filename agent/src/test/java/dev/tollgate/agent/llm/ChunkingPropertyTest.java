package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Any chunking of a recorded stream gives the same result as feeding it whole. */
class ChunkingPropertyTest {
  private static final List<Object[]> FIXTURES = List.of(
      new Object[] {"openai-chat-include-usage.sse", ApiFormat.OPENAI_CHAT},
      new Object[] {"openai-chat-no-usage.sse", ApiFormat.OPENAI_CHAT},
      new Object[] {"openai-responses.sse", ApiFormat.OPENAI_RESPONSES},
      new Object[] {"anthropic-basic.sse", ApiFormat.ANTHROPIC_MESSAGES},
      new Object[] {"anthropic-cache.sse", ApiFormat.ANTHROPIC_MESSAGES},
      new Object[] {"anthropic-new-delta.sse", ApiFormat.ANTHROPIC_MESSAGES},
      new Object[] {"gemini.sse", ApiFormat.GEMINI_GENERATE},
      new Object[] {"gemini-array.json", ApiFormat.GEMINI_GENERATE},
      new Object[] {"ollama-chat.ndjson", ApiFormat.OLLAMA_CHAT},
      new Object[] {"groq.sse", ApiFormat.OPENAI_CHAT},
      new Object[] {"xai.sse", ApiFormat.OPENAI_CHAT},
      new Object[] {"openai-chat.json", ApiFormat.OPENAI_CHAT});

  @Provide
  Arbitrary<Integer> fixture() {
    return Arbitraries.integers().between(0, FIXTURES.size() - 1);
  }

  @Property(tries = 400)
  void anyChunkingGivesTheSameResult(@ForAll("fixture") int which, @ForAll boolean gzip,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 4000) Integer> cuts) {
    String name = (String) FIXTURES.get(which)[0];
    ApiFormat format = (ApiFormat) FIXTURES.get(which)[1];
    byte[] body = Fixtures.bytes(name);
    String encoding = null;
    if (gzip) {
      body = Fixtures.gzip(body);
      encoding = "gzip";
    }
    int[] sorted = cuts.stream().mapToInt(Integer::intValue).sorted().toArray();
    MeterResult whole = Fixtures.meter(format, body, Fixtures.contentType(name), encoding);
    MeterResult chunked = Fixtures.meterCut(format, body, Fixtures.contentType(name), encoding, sorted);
    assertEquals(whole, chunked);
  }
}
