package dev.tollgate.policy.args;

import dev.tollgate.policy.Glob;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;

/**
 * One entry of {@code url_host:}: a keyword, an address range (CIDR, or one address) or a glob on host names.
 * Names are compared lower-case; addresses only with addresses (a name is never looked up, so a range never
 * matches a name: a deny list of ranges does not stop a name that resolves into them; an allow list of names
 * does).
 */
public sealed interface HostPattern {
  boolean matches(UrlHost host);

  /** The keywords, each a set of ranges and names. */
  enum Keyword implements HostPattern {
    LOOPBACK("loopback", List.of("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128"),
        List.of("localhost", "*.localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")),
    PRIVATE("private", List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"),
        List.of()),
    LINK_LOCAL("link_local", List.of("169.254.0.0/16", "fe80::/10"), List.of()),
    METADATA("metadata", List.of("169.254.169.254/32", "169.254.170.2/32", "169.254.169.253/32",
        "100.100.100.200/32", "192.0.0.192/32", "fd00:ec2::254/128"),
        List.of("metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
            "metadata.azure.internal", "metadata.tencentyun.com"));

    private final String word;
    private final List<Range> ranges;
    private final List<Glob> names;

    Keyword(String word, List<String> ranges, List<String> names) {
      this.word = word;
      this.ranges = ranges.stream().map(HostPattern::range).toList();
      this.names = names.stream().map(Glob::of).toList();
    }

    @Override
    public boolean matches(UrlHost host) {
      for (Range r : ranges) {
        if (r.matches(host)) {
          return true;
        }
      }
      for (Glob g : names) {
        if (!host.isAddress() && g.matches(host.name())) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return word;
    }
  }

  /** Addresses whose first {@code bits} bits equal {@code network}'s. */
  record Range(String text, byte[] network, int bits) implements HostPattern {
    @Override
    public boolean matches(UrlHost host) {
      for (InetAddress a : host.addresses()) {
        byte[] b = a.getAddress();
        if (b.length == network.length && prefixEquals(b)) {
          return true;
        }
      }
      return false;
    }

    private boolean prefixEquals(byte[] b) {
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** A glob on host names (lower-case; {@code *.internal}). */
  record Name(Glob glob) implements HostPattern {
    @Override
    public boolean matches(UrlHost host) {
      return !host.isAddress() && glob.matches(host.name());
    }

    @Override
    public String toString() {
      return glob.pattern();
    }
  }

  /** Parses an entry; call {@link #problem} first. */
  static HostPattern parse(String text) {
    for (Keyword k : Keyword.values()) {
      if (k.word.equals(text)) {
        return k;
      }
    }
    if (text.indexOf('/') >= 0 || looksLikeAddress(text)) {
      return range(text);
    }
    return new Name(Glob.of(text.toLowerCase(Locale.ROOT)));
  }

  private static Range range(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = UrlHost.dottedQuad(addr);
    if (bytes == null) {
      InetAddress v6 = UrlHost.ipv6(addr);
      if (v6 == null) {
        throw new IllegalArgumentException("not an address range: " + text);
      }
      bytes = v6.getAddress();
    }
    int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1));
    return new Range(text, bytes, bits);
  }

  /** Why {@code text} is not a host pattern, or null. */
  public static String problem(String text) {
    if (text == null || text.isEmpty()) {
      return "must not be empty";
    }
    for (Keyword k : Keyword.values()) {
      if (k.word.equals(text)) {
        return null;
      }
    }
    if (text.indexOf('/') >= 0 || looksLikeAddress(text)) {
      int slash = text.indexOf('/');
      String addr = slash < 0 ? text : text.substring(0, slash);
      int max;
      if (UrlHost.dottedQuad(addr) != null) {
        max = 32;
      } else {
        InetAddress v6 = UrlHost.ipv6(addr);
        if (v6 == null) {
          return "is not an address range: write a.b.c.d/bits or an IPv6 address/bits, got " + quote(text);
        }
        max = v6 instanceof Inet4Address ? 32 : 128;
        if (v6 instanceof Inet4Address) {
          return "write the IPv4 range " + quote(text) + " in dotted-quad form (a.b.c.d/bits)";
        }
      }
      if (slash >= 0) {
        String bits = text.substring(slash + 1);
        if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)
            || Integer.parseInt(bits) > max) {
          return "has a prefix length that is not 0 to " + max + ", got " + quote(text);
        }
      }
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = Character.toLowerCase(text.charAt(i));
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '*'
          || c == '?')) {
        return "must be loopback, private, link_local, metadata, an address range (169.254.0.0/16) or a glob on "
            + "host names (letters, digits, '-', '_', '.', '*', '?'), got " + quote(text);
      }
    }
    return Glob.problem(text);
  }

  private static boolean looksLikeAddress(String text) {
    return text.indexOf(':') >= 0 || !text.isEmpty() && text.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }
}
