package dev.tollgate.policy.args;

import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The host a URL argument sends a request to, read the way HTTP clients read it (WHATWG URL parsing, which
 * browsers, OkHttp and most clients follow, and the JDK's {@code InetAddress} for IP literals): tabs and newlines
 * removed, scheme case ignored, userinfo dropped, percent-encoding and IDNA mapping applied to the host, a trailing
 * dot dropped, IPv4 in decimal, hex, octal and short forms ({@code 2852039166}, {@code 0xA9FEA9FE},
 * {@code 0251.0376.0251.0376}, {@code 169.254.43518}), IPv6 with the IPv4 it embeds (mapped, compatible, NAT64,
 * 6to4). A host name is never looked up: addresses are those written in the URL.
 *
 * <p>Uninterpretable, because clients disagree on it: more than one {@code @}, a backslash before the path, a host
 * that ends in a number but is no IPv4 address, an IPv4 address with a leading zero that the JDK's resolver reads as
 * decimal and WHATWG clients as octal ({@code 0127.0.0.1}: 127.0.0.1 or 87.0.0.1), characters no host name has, no
 * host at all.
 *
 * @param name      the host as a lower-case name or address text, without brackets or trailing dot
 * @param addresses the addresses the host is, when it is an IP literal: the address and any IPv4 it embeds
 */
public record UrlHost(String name, List<InetAddress> addresses) {
  public static final int MAX_LENGTH = 8192;
  private static final Set<String> SPECIAL = Set.of("http", "https", "ws", "wss", "ftp");

  public UrlHost {
    addresses = List.copyOf(addresses);
  }

  public sealed interface Result permits Read, Problem {}

  public record Read(UrlHost host) implements Result {}

  public record Problem(String why) implements Result {}

  public boolean isAddress() {
    return !addresses.isEmpty();
  }

  public static Result of(String value) {
    if (value == null || value.isEmpty()) {
      return new Problem("it is empty");
    }
    if (value.length() > MAX_LENGTH) {
      return new Problem("it is longer than " + MAX_LENGTH + " characters");
    }
    StringBuilder cleaned = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && c != '\n' && c != '\r') {
        cleaned.append(c);
      }
    }
    String text = strip(cleaned.toString());
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < 0x20 || text.charAt(i) == 0x7f) {
        return new Problem("it contains a control character");
      }
    }
    String rest = text;
    int colon = schemeEnd(text);
    if (colon > 0) {
      String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
      String after = text.substring(colon + 1);
      if (after.startsWith("//")) {
        rest = after.substring(2);
      } else if (SPECIAL.contains(scheme)) {
        rest = stripLeadingSlashes(after);
      } else if (scheme.equals("file")) {
        return new Problem("it is a file: URL, which names no host");
      } // else "host:port/path" without a scheme: the whole text is the authority
    } else if (text.startsWith("//")) {
      rest = text.substring(2);
    } else if (text.startsWith("/") || text.startsWith("\\")) {
      return new Problem("it is a path, not a URL");
    }
    int end = rest.length();
    for (int i = 0; i < rest.length(); i++) {
      char c = rest.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        end = i;
        break;
      }
      if (c == '\\') {
        return new Problem("it has a backslash before the path, where clients disagree on the host");
      }
    }
    String authority = rest.substring(0, end);
    int at = authority.lastIndexOf('@');
    if (at >= 0 && authority.indexOf('@') != at) {
      return new Problem("it has more than one @ in the authority, where clients disagree on the host");
    }
    String hostPort = authority.substring(at + 1);
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        return new Problem("it has an unclosed [ in the host");
      }
      String port = hostPort.substring(close + 1);
      if (!port.isEmpty() && !validPort(port.substring(1)) || !port.isEmpty() && port.charAt(0) != ':') {
        return new Problem("it has an invalid port");
      }
      String literal = hostPort.substring(1, close);
      int zone = literal.indexOf('%');
      if (zone >= 0) {
        literal = literal.substring(0, zone);
      }
      InetAddress address = ipv6(literal);
      if (address == null) {
        return new Problem("[" + literal + "] is not an IPv6 address");
      }
      return new Read(new UrlHost(address.getHostAddress(), withEmbedded(address)));
    }
    int portColon = hostPort.indexOf(':');
    String host = hostPort;
    if (portColon >= 0) {
      if (!validPort(hostPort.substring(portColon + 1))) {
        return new Problem("it has an invalid port");
      }
      host = hostPort.substring(0, portColon);
    }
    String decoded = CanonicalPath.percentDecoded(host);
    if (decoded == null) {
      return new Problem("its host has invalid percent-encoding");
    }
    host = decoded;
    if (!host.chars().allMatch(c -> c < 0x80)) {
      try {
        host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        return new Problem("its host is not a valid international domain name");
      }
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty()) {
      return new Problem("it names no host");
    }
    if (host.endsWith(".") || host.startsWith(".") || host.contains("..")) {
      return new Problem("its host has an empty label");
    }
    String[] labels = host.split("\\.", -1);
    if (looksNumeric(labels[labels.length - 1])) {
      byte[] ipv4 = ipv4(labels, true);
      if (ipv4 == null) {
        return new Problem("its host " + host + " ends in a number but is not an IPv4 address");
      }
      byte[] decimal = ipv4(labels, false);
      if (decimal != null && !java.util.Arrays.equals(decimal, ipv4)) {
        return new Problem("its host " + host + " has a number with a leading zero, which the JDK's resolver reads "
            + "as decimal and WHATWG clients as octal");
      }
      InetAddress address = address(ipv4);
      return new Read(new UrlHost(address.getHostAddress(), List.of(address)));
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
        return new Problem("its host contains " + (c == ' ' ? "a space" : "'" + c + "'")
            + ", which no host name has");
      }
    }
    return new Read(new UrlHost(host, List.of()));
  }

  /** Parses an IPv6 literal (no brackets) without any lookup, or null. */
  static InetAddress ipv6(String literal) {
    if (literal.isEmpty() || literal.indexOf(':') < 0) {
      return null;
    }
    for (int i = 0; i < literal.length(); i++) {
      char c = literal.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        return null;
      }
    }
    try {
      // brackets make the JDK parse a literal or fail; it never resolves a bracketed name
      return InetAddress.getByName("[" + literal + "]");
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  /** Strict dotted-quad IPv4 (as written in policies), or null. */
  static byte[] dottedQuad(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)
          || parts[i].length() > 1 && parts[i].charAt(0) == '0') {
        return null;
      }
      int v = Integer.parseInt(parts[i]);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // only for a wrong length
    }
  }

  /** The address and the IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4). */
  static List<InetAddress> withEmbedded(InetAddress address) {
    List<InetAddress> out = new ArrayList<>(2);
    out.add(address);
    if (address instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean zero10 = true;
      for (int i = 0; i < 10; i++) {
        zero10 &= b[i] == 0;
      }
      boolean mapped = zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      boolean compatible = zero10 && b[10] == 0 && b[11] == 0
          && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
      boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
      if (mapped || compatible || nat64) {
        out.add(address(new byte[] {b[12], b[13], b[14], b[15]}));
      } else if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
        out.add(address(new byte[] {b[2], b[3], b[4], b[5]}));
      }
    }
    return out;
  }

  /** WHATWG: a host whose last label is a number must be an IPv4 address. */
  private static boolean looksNumeric(String label) {
    if (label.isEmpty()) {
      return false;
    }
    if (label.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return true;
    }
    return label.startsWith("0x") && label.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
  }

  /**
   * The WHATWG IPv4 parser (as inet_aton; {@code radixPrefixes}): 1 to 4 parts, each decimal, 0x hex or 0 octal; the
   * last fills the rest. Without {@code radixPrefixes}, the JDK's literal parser ({@code InetAddress}, which clients
   * on the JDK resolve through): decimal parts only, leading zeros ignored.
   */
  private static byte[] ipv4(String[] labels, boolean radixPrefixes) {
    if (labels.length > 4) {
      return null;
    }
    long[] parts = new long[labels.length];
    for (int i = 0; i < labels.length; i++) {
      String l = labels[i];
      int radix = 10;
      if (!radixPrefixes) {
        if (l.isEmpty() || !l.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return null;
        }
      } else if (l.startsWith("0x")) {
        radix = 16;
        l = l.substring(2);
      } else if (l.length() > 1 && l.charAt(0) == '0') {
        radix = 8;
        l = l.substring(1);
      }
      if (l.isEmpty()) {
        parts[i] = 0;
        continue;
      }
      if (l.length() > 12) {
        return null;
      }
      try {
        parts[i] = Long.parseLong(l, radix);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    for (int i = 0; i < parts.length - 1; i++) {
      if (parts[i] > 255) {
        return null;
      }
    }
    long last = parts[parts.length - 1];
    if (last >= 1L << (8 * (5 - parts.length))) {
      return null;
    }
    long value = last;
    for (int i = 0; i < parts.length - 1; i++) {
      value += parts[i] << (8 * (3 - i));
    }
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  private static int schemeEnd(String text) {
    if (text.isEmpty() || !isAsciiLetter(text.charAt(0))) {
      return -1;
    }
    for (int i = 1; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ':') {
        return i;
      }
      if (!(isAsciiLetter(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
        return -1;
      }
    }
    return -1;
  }

  private static boolean isAsciiLetter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static String stripLeadingSlashes(String s) {
    int i = 0;
    while (i < s.length() && (s.charAt(i) == '/' || s.charAt(i) == '\\')) {
      i++;
    }
    return s.substring(i);
  }

  /** Removes leading and trailing C0 controls and spaces, as the WHATWG parser does. */
  private static String strip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) <= 0x20) {
      start++;
    }
    while (end > start && s.charAt(end - 1) <= 0x20) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean validPort(String port) {
    if (port.isEmpty()) {
      return true;
    }
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return false;
    }
    return Integer.parseInt(port) <= 65535;
  }

  @Override
  public String toString() {
    if (addresses.isEmpty()) {
      return name + " (a name; names are not looked up)";
    }
    StringBuilder out = new StringBuilder(name);
    if (addresses.size() > 1) {
      out.append(" (carries ");
      for (int i = 1; i < addresses.size(); i++) {
        out.append(i > 1 ? ", " : "").append(addresses.get(i).getHostAddress());
      }
      out.append(')');
    }
    return out.toString();
  }
}
