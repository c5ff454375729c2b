package dev.tollgate.agent.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.testing.LlmOnlyDelegate;
import dev.tollgate.bootstrap.BlockedCall;
import dev.tollgate.bootstrap.Guard;
import dev.tollgate.bootstrap.LlmExchange;
import dev.tollgate.bootstrap.LlmHttpClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP-client template on its own, with a client of plain objects: what every instrumented client (JDK,
 * OkHttp, Apache 5, Spring, Quarkus) now inherits — which bodies are touched, the cap, read-ahead of one-shot
 * bodies, the refusal, and how the exchange ends.
 */
class LlmHttpClientTemplateTest {
  static final String LLM = "http://127.0.0.1:1/v1/chat/completions";
  static final String OTHER = "http://127.0.0.1:1/health";

  /** A request: its body is written by {@code writer}, which counts how often it is asked. */
  static final class Req {
    final String uri;
    final long length;
    final boolean repeatable;
    final Body body;

    Req(String uri, long length, boolean repeatable, Body body) {
      this.uri = uri;
      this.length = length;
      this.repeatable = repeatable;
      this.body = body;
    }
  }

  static final class Body {
    final byte[] bytes;
    final AtomicInteger writes = new AtomicInteger();
    final IOException failure;

    Body(byte[] bytes, IOException failure) {
      this.bytes = bytes;
      this.failure = failure;
    }
  }

  record Resp(int status, Map<String, String> headers, String note) {}

  static final class Client extends LlmHttpClient<Req, Resp> {
    Client() {
      super("test-client");
    }

    @Override
    protected String method(Req r) {
      return "POST";
    }

    @Override
    protected String uri(Req r) {
      return r.uri;
    }

    @Override
    protected long bodyLength(Req r) {
      return r.body == null ? 0 : r.length;
    }

    @Override
    protected boolean bodyRepeatable(Req r) {
      return r.repeatable;
    }

    @Override
    protected void writeBody(Req r, OutputStream out) throws Exception {
      r.body.writes.incrementAndGet();
      if (r.body.failure != null) {
        throw r.body.failure;
      }
      out.write(r.body.bytes);
    }

    @Override
    protected boolean canResend(Req r) {
      return true;
    }

    @Override
    protected Req withBody(Req r, byte[] body) {
      return new Req(r.uri, body.length, true, new Body(body, null));
    }

    @Override
    protected int status(Resp r) {
      return r.status;
    }

    @Override
    protected String header(Resp r, String name) {
      return r.headers.get(name);
    }

    @Override
    protected Resp refusal(Req r, BlockedCall blocked) {
      return new Resp(blocked.status(), blocked.headers(), "refused");
    }

    @Override
    protected Resp metered(Req r, Resp response, LlmExchange exchange) {
      return new Resp(response.status, response.headers, "metered");
    }
  }

  /** What the agent saw: each admitted call's body and length, and how each exchange ended. */
  static final class Seen extends LlmOnlyDelegate {
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final List<Long> lengths = new CopyOnWriteArrayList<>();
    final List<String> ends = new CopyOnWriteArrayList<>();
    volatile boolean refuse;

    @Override
    protected boolean llmRecognized(String method, String uri) {
      return uri.equals(LLM);
    }

    @Override
    protected Object llmEnter(String client, String method, String uri, byte[] body, long contentLength) {
      bodies.add(body);
      lengths.add(contentLength);
      if (refuse) {
        return new BlockedCall(402, Map.of("content-type", "application/json"), "{}".getBytes(), "no");
      }
      return new LlmExchange() {
        @Override
        public void response(int status, String contentType, String contentEncoding) {}

        @Override
        public void bytes(ByteBuffer bytes) {}

        @Override
        public void bytes(byte[] bytes, int offset, int length) {}

        @Override
        public void end(boolean complete, Throwable error) {
          ends.add(complete + (error == null ? "" : " " + error.getMessage()));
        }
      };
    }
  }

  final Client client = new Client();
  final Seen seen = new Seen();

  @BeforeEach
  void install() {
    Guard.install(seen);
  }

  @AfterEach
  void uninstall() {
    Guard.install(null);
    assertTrue(seen.suppressed.isEmpty(), () -> "suppressed: " + seen.suppressed);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRequestThatIsNoLlmCallIsNeitherReadNorAdmitted() {
    Body body = new Body(utf8("{\"x\":1}"), null);
    assertNull(client.admit(new Req(OTHER, 7, true, body)));
    assertEquals(0, body.writes.get());
    assertTrue(seen.bodies.isEmpty());
  }

  @Test
  void aRepeatableBodyIsReadOnceAndTheRequestSentUntouched() {
    Req req = new Req(LLM, 12, true, new Body(utf8("{\"model\":1}"), null));
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(req);
    assertSame(req, a.request);
    assertArrayEquals(utf8("{\"model\":1}"), seen.bodies.get(0));
    assertEquals(1, req.body.writes.get());
  }

  @Test
  void aOneShotBodyIsWrittenAheadAndTheSameBytesAreSent() {
    Req req = new Req(LLM, -1, false, new Body(utf8("{\"stream\":true}"), null));
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(req);
    assertNotSame(req, a.request);
    assertArrayEquals(utf8("{\"stream\":true}"), a.request.body.bytes);
    assertArrayEquals(a.request.body.bytes, seen.bodies.get(0));
    assertEquals(15, seen.lengths.get(0));
  }

  @Test
  void aOneShotBodyThatFailsToWriteFailsTheCallWithTheAppsOwnError() {
    IOException own = new IOException("disk gone");
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(new Req(LLM, -1, false, new Body(null, own)));
    assertSame(own, a.unreadable);
    assertTrue(seen.bodies.isEmpty(), "nothing was admitted: nothing is sent");
  }

  @Test
  void aRepeatableBodyThatFailsToWriteIsGovernedByItsLength() {
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(new Req(LLM, 40, true, new Body(null, new IOException("x"))));
    assertTrue(a.exchange != null);
    assertNull(seen.bodies.get(0));
    assertEquals(40, seen.lengths.get(0));
  }

  @Test
  void aBodyLongerThanTheCapIsNotCopied() {
    long declared = LlmHttpClient.MAX_INSPECTED_BODY + 1;
    Body body = new Body(new byte[1], null);
    client.admit(new Req(LLM, declared, true, body));
    assertEquals(0, body.writes.get());
    assertNull(seen.bodies.get(0));
    assertEquals(declared, seen.lengths.get(0));
  }

  @Test
  void aRepeatableBodyOfUnknownLengthThatOutgrowsTheCapIsGovernedWithoutIt() {
    byte[] big = new byte[(int) LlmHttpClient.MAX_INSPECTED_BODY + 10];
    client.admit(new Req(LLM, -1, true, new Body(big, null)));
    assertNull(seen.bodies.get(0));
    assertEquals(-1, seen.lengths.get(0));
  }

  @Test
  void aRefusedCallIsAnsweredInTheClientsShapeAndNothingIsSent() {
    seen.refuse = true;
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(new Req(LLM, 2, true, new Body(utf8("{}"), null)));
    assertEquals("refused", a.refusal.note());
    assertEquals(402, a.refusal.status());
    assertNull(a.exchange);
  }

  @Test
  void aResponseWithABodyIsMeteredAndOneWithoutEndsAtOnce() {
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(new Req(LLM, 2, true, new Body(utf8("{}"), null)));
    assertEquals("metered", client.respond(a, new Resp(200, Map.of(), "net"), null).note());
    assertTrue(seen.ends.isEmpty(), "a metered body ends the exchange when read");

    LlmHttpClient.Admitted<Req, Resp> b = client.admit(new Req(LLM, 2, true, new Body(utf8("{}"), null)));
    assertEquals("net", client.respond(b, new Resp(204, Map.of(), "net"), null).note());
    LlmHttpClient.Admitted<Req, Resp> c = client.admit(new Req(LLM, 2, true, new Body(utf8("{}"), null)));
    assertEquals("net", client.respond(c, new Resp(200, Map.of("Content-Length", "0"), "net"), null).note());
    assertEquals(List.of("true", "true"), seen.ends);
  }

  @Test
  void aSendThatFailedEndsTheExchangeIncomplete() {
    LlmHttpClient.Admitted<Req, Resp> a = client.admit(new Req(LLM, 2, true, new Body(utf8("{}"), null)));
    assertNull(client.respond(a, null, new IOException("reset")));
    assertEquals(List.of("false reset"), seen.ends);
    assertFalse(LlmHttpClient.hasBody("HEAD", 200));
  }
}
