package dev.tollgate.policy.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** URLs read the way HTTP clients read them; no name is ever looked up. */
class UrlHostTest {
  private static final ArgumentMatcher.Compiled METADATA_OR_PRIVATE = new ArgumentMatcher.UrlHostIn(
      List.of("link_local", "private", "loopback", "metadata", "*.internal")).compile(MatchContext.system());

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "http://169.254.169.254/latest/meta-data | 169.254.169.254",
      "HTTP://169.254.169.254/ | 169.254.169.254",
      "hTtPs://169.254.169.254:443/ | 169.254.169.254",
      "http://2852039166/ | 169.254.169.254",
      "http://0xA9FEA9FE/ | 169.254.169.254",
      "http://0xa9.0xfe.0xa9.0xfe/ | 169.254.169.254",
      "http://0251.0376.0251.0376/ | 169.254.169.254",
      "http://169.254.43518/ | 169.254.169.254",
      "http://169.16689662/ | 169.254.169.254",
      "http://169.254.169.254./ | 169.254.169.254",
      "http://a@169.254.169.254/ | 169.254.169.254",
      "http://user:pass@169.254.169.254:80/ | 169.254.169.254",
      "http://169.254.169.254:80@169.254.169.254/ | 169.254.169.254",
      "http://[::ffff:169.254.169.254]/ | 169.254.169.254",
      "http://[::ffff:a9fe:a9fe]/ | 169.254.169.254",
      "http://%31%36%39.254.169.254/ | 169.254.169.254",
      "http:169.254.169.254/ | 169.254.169.254",
      "http:/169.254.169.254/ | 169.254.169.254",
      "169.254.169.254/latest | 169.254.169.254",
      "169.254.169.254:80 | 169.254.169.254",
      "//169.254.169.254/ | 169.254.169.254",
      "'  http://169.254.169.254/  ' | 169.254.169.254",
      "http://１６９.２５４.１６９.２５４/ | 169.254.169.254",
      "http://127.1/ | 127.0.0.1",
      "http://0/ | 0.0.0.0",
      "http://[::1]:8080/ | 0:0:0:0:0:0:0:1",
      "http://[fe80::1%25eth0]/ | fe80:0:0:0:0:0:0:1",
      "http://METADATA.google.internal./ | metadata.google.internal",
      "gopher://Example.COM:70/ | example.com",
      "localhost:8080/x | localhost",
  })
  void clientsSendTheseToTheHostShown(String url, String host) {
    UrlHost.Read read = assertInstanceOf(UrlHost.Read.class, UrlHost.of(url.strip().replace("'", "")), url);
    assertEquals(host, read.host().name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://169.254.169.254/", "HTTP://169.254.169.254", "https://169.254.169.254",
      "http://2852039166/", "http://[::ffff:169.254.169.254]/", "http://a@169.254.169.254/", "http://0xA9FEA9FE/",
      "http://169.254.169.254./", "http://[fd00:ec2::254]/", "http://[64:ff9b::a9fe:a9fe]/",
      "http://[2002:a9fe:a9fe::1]/", "http://metadata.google.internal/", "http://metadata/computeMetadata/v1/",
      "http://10.0.0.5/", "http://172.31.255.255/", "http://192.168.1.1/", "http://127.0.0.1:9200/",
      "http://localhost/", "http://api.localhost/", "http://0.0.0.0:8080/", "http://[::]/", "http://[::1]/",
      "http://[fe80::1]/", "http://[fc00::1]/", "http://vault.internal/", "http://x.y.internal./",
      "http://169.254.169.254\n/", "http://169.254.1\t69.254/", "http://017700000001/"})
  void privateAndMetadataSpellingsAreCaught(String url) {
    assertEquals(Reading.Result.MATCH, METADATA_OR_PRIVATE.read(ArgumentValue.string(url), true).result(), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com/", "http://93.184.215.14/", "https://api.openai.com/v1",
      "http://[2606:4700::1111]/", "https://internal.example.com/", "http://169.255.0.1/", "http://172.32.0.1/"})
  void publicHostsAreNot(String url) {
    assertEquals(Reading.Result.NO_MATCH, METADATA_OR_PRIVATE.read(ArgumentValue.string(url), true).result(), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://a@b@169.254.169.254/", "http://evil.com\\@169.254.169.254/", "http://1.2.3.999/",
      "http://256.256.256.256/", "http://1.2.3.4.5/", "http://0x1g.0.0.1/", "http://[::ffff:169.254.169.254/",
      "http://[zz::1]/", "http://exa mple.com/", "http:///", "file:///etc/passwd", "", "/etc/passwd",
      "http://host:port/", "http://host:99999/", "http://a..b/", "http://169.254.169.254\u0000.example.com/",
      "http://%zz/", "http://foo.123/", "http://.169.254.169.254/"})
  void urlsClientsDisagreeOnAreUninterpretable(String url) {
    assertEquals(Reading.Result.UNINTERPRETABLE, METADATA_OR_PRIVATE.read(ArgumentValue.string(url), true).result(),
        url);
    assertEquals(false, METADATA_OR_PRIVATE.read(ArgumentValue.string(url), false).matchesFor(false),
        "an allow rule does not match what it cannot read");
    assertEquals(true, METADATA_OR_PRIVATE.read(ArgumentValue.string(url), true).matchesFor(true),
        "a deny rule does");
  }

  /**
   * The JDK's resolver (java.net.http, HttpURLConnection, OkHttp's system DNS) reads a dotted number with a leading
   * zero as decimal ({@code http://0127.0.0.1/} reaches 127.0.0.1), WHATWG clients as octal (87.0.0.1).
   */
  @ParameterizedTest
  @ValueSource(strings = {"http://0127.0.0.1/", "http://0127.1/", "http://010.0.0.1/", "http://0172.016.0.1/",
      "http://0251.254.169.254/", "http://0177.0.0.1/"})
  void aNumberTheJdkAndWhatwgReadDifferentlyIsUninterpretable(String url) {
    Reading deny = METADATA_OR_PRIVATE.read(ArgumentValue.string(url), true);
    assertEquals(Reading.Result.UNINTERPRETABLE, deny.result(), url + " -> " + deny.account());
  }

  @ParameterizedTest
  @ValueSource(strings = {"metadata", "169.254.0.0/16", "fd00::/8", "10.1.2.3", "::1", "*.internal", "api.example.com",
      "loopback", "private", "link_local"})
  void validPatterns(String pattern) {
    assertEquals(null, HostPattern.problem(pattern));
  }

  @org.junit.jupiter.api.Test
  void aNameIsNeverMatchedByARangeBecauseItIsNeverLookedUp() {
    ArgumentMatcher.Compiled range = new ArgumentMatcher.UrlHostIn(List.of("127.0.0.0/8"))
        .compile(MatchContext.system());
    Reading r = range.read(ArgumentValue.string("http://localtest.me/"), true);
    assertEquals(Reading.Result.NO_MATCH, r.result());
    assertEquals("has host localtest.me (a name; names are not looked up), in none of [127.0.0.0/8]", r.account());
  }
}
