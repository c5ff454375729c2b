package dev.tollgate.policy.args;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A path argument read the way the operating system will read it when the tool opens it: {@code ~} expanded,
 * relative paths resolved against the working directory, {@code .} and repeated separators dropped, and
 * symbolic links of the part that exists followed one component at a time, as the kernel does (so
 * {@code link/..} is the parent of the link's target, not the directory holding the link, and a dangling link
 * is followed to where a write would create its target).
 *
 * <p>Refused as uninterpretable, because some tool somewhere reads them differently: a NUL (C code stops there),
 * a backslash on a file system whose separator is {@code /} (a separator on Windows, a name character here),
 * percent-encoded dots, slashes, backslashes or NULs (tools that take URLs decode them), {@code ~user}, shell
 * variables ({@code $HOME}), {@code file:} URLs with a host, a query or a fragment ({@code java.net.URL} opens
 * {@code file:///etc/passwd?/../../tmp} as {@code /etc/passwd}), {@code file:} URLs behind spaces, control
 * characters or {@code url:} (which {@code java.net.URL} drops, and path readers keep), and paths longer than
 * {@link #MAX_LENGTH}.
 */
public record CanonicalPath(Path path) {
  public static final int MAX_LENGTH = 4096;
  /** Most symbolic links followed for one path (Linux's limit). */
  static final int MAX_LINKS = 40;

  /** The outcome of reading a value: a canonical path or why there is none. */
  public sealed interface Result permits Read, Problem {}

  public record Read(CanonicalPath path) implements Result {}

  public record Problem(String why) implements Result {}

  public static Result of(String value, MatchContext ctx) {
    if (value == null || value.isEmpty()) {
      return new Problem("it is empty");
    }
    if (value.length() > MAX_LENGTH) {
      return new Problem("it is longer than " + MAX_LENGTH + " characters");
    }
    if (value.indexOf('\0') >= 0) {
      return new Problem("it contains a NUL character, where C code would cut it short");
    }
    String text = value;
    String url = asJavaNetUrl(value);
    if (url.regionMatches(true, 0, "file:", 0, 5) && !url.equals(value)) {
      return new Problem("it is a file: URL behind spaces, control characters or \"url:\", which java.net.URL "
          + "drops and path readers keep");
    }
    if (text.regionMatches(true, 0, "file:", 0, 5)) {
      String rest = text.substring(5);
      if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
        return new Problem("it is a file: URL with a query or fragment, which java.net.URL drops from the path it "
            + "opens and other readers keep");
      }
      if (rest.startsWith("//")) {
        int slash = rest.indexOf('/', 2);
        String authority = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
        if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
          return new Problem("it is a file: URL naming another host (" + authority + ")");
        }
        rest = slash < 0 ? "/" : rest.substring(slash);
      }
      String decoded = percentDecoded(rest);
      if (decoded == null) {
        return new Problem("it is a file: URL with invalid percent-encoding");
      }
      if (decoded.indexOf('\0') >= 0) {
        return new Problem("it is a file: URL that decodes to a NUL character");
      }
      text = decoded;
    } else if (encodesSeparatorOrDot(text)) {
      return new Problem("it contains a percent-encoded dot, slash, backslash or NUL, which tools that take URLs "
          + "decode");
    }
    String separator = ctx.fileSystem().getSeparator();
    if (separator.equals("/") && text.indexOf('\\') >= 0) {
      return new Problem("it contains a backslash, which a tool on Windows reads as a separator and this file "
          + "system as part of a name");
    }
    if (text.startsWith("~")) {
      if (text.length() == 1 || text.charAt(1) == '/' || text.charAt(1) == '\\') {
        text = ctx.home().toString() + text.substring(1);
      } else {
        return new Problem("it starts with ~user, another user's home directory");
      }
    }
    if (hasShellVariable(text)) {
      return new Problem("it contains a shell variable ($NAME), which a shell would expand");
    }
    Path given;
    try {
      given = ctx.fileSystem().getPath(text);
    } catch (InvalidPathException e) {
      return new Problem("it is not a valid path on this file system");
    }
    Path absolute = given.isAbsolute() ? given : ctx.workDir().resolve(given);
    try {
      return new Read(new CanonicalPath(resolve(absolute)));
    } catch (TooManyLinks e) {
      return new Problem("it runs through more than " + MAX_LINKS + " symbolic links");
    }
  }

  /** True when this path is {@code root} or inside it, compared by whole path segments. */
  public boolean isUnder(CanonicalPath root, boolean caseInsensitive) {
    Path p = path;
    Path r = root.path;
    if (p.getNameCount() < r.getNameCount() || !same(p.getRoot(), r.getRoot(), caseInsensitive)) {
      return false;
    }
    for (int i = 0; i < r.getNameCount(); i++) {
      if (!same(p.getName(i), r.getName(i), caseInsensitive)) {
        return false;
      }
    }
    return true;
  }

  private static boolean same(Path a, Path b, boolean caseInsensitive) {
    if (a == null || b == null) {
      return a == b;
    }
    return caseInsensitive
        ? a.toString().toLowerCase(Locale.ROOT).equals(b.toString().toLowerCase(Locale.ROOT))
        : a.toString().equals(b.toString());
  }

  @Override
  public String toString() {
    return path.toString();
  }

  private static final class TooManyLinks extends Exception {
    TooManyLinks() {
      super(null, null, false, false);
    }
  }

  /** Walks the components as the kernel does: {@code ..} goes up from where the walk is, links are read. */
  private static Path resolve(Path absolute) throws TooManyLinks {
    Path current = absolute.getRoot();
    Deque<String> remaining = new ArrayDeque<>();
    for (Path name : absolute) {
      remaining.addLast(name.toString());
    }
    int links = 0;
    while (!remaining.isEmpty()) {
      String name = remaining.removeFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        Path parent = current.getParent();
        current = parent == null ? current : parent;
        continue;
      }
      Path next = current.resolve(name);
      if (Files.isSymbolicLink(next)) {
        if (++links > MAX_LINKS) {
          throw new TooManyLinks();
        }
        Path target;
        try {
          target = Files.readSymbolicLink(next);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
          current = next;
          continue;
        }
        Deque<String> expanded = new ArrayDeque<>();
        for (Path part : target) {
          expanded.addLast(part.toString());
        }
        while (!expanded.isEmpty()) {
          remaining.addFirst(expanded.removeLast());
        }
        if (target.isAbsolute()) {
          current = target.getRoot();
        }
        continue;
      }
      current = next;
    }
    return current;
  }

  /** The text java.net.URL parses: spaces and controls around it and a leading {@code url:} removed. */
  private static String asJavaNetUrl(String value) {
    String trimmed = value.trim(); // as java.net.URL: every character up to U+0020 at either end
    return trimmed.regionMatches(true, 0, "url:", 0, 4) ? trimmed.substring(4) : trimmed;
  }

  private static boolean hasShellVariable(String text) {
    for (int i = 0; i + 1 < text.length(); i++) {
      if (text.charAt(i) == '$') {
        char c = text.charAt(i + 1);
        if (c == '{' || c == '(' || c == '_' || Character.isLetter(c)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean encodesSeparatorOrDot(String text) {
    for (int i = text.indexOf('%'); i >= 0 && i + 2 < text.length(); i = text.indexOf('%', i + 1)) {
      String hex = text.substring(i + 1, i + 3).toLowerCase(Locale.ROOT);
      if (hex.equals("2e") || hex.equals("2f") || hex.equals("5c") || hex.equals("00")) {
        return true;
      }
    }
    return false;
  }

  /** Percent-decodes UTF-8; null when a {@code %} is not followed by two hex digits or the bytes are not UTF-8. */
  static String percentDecoded(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          return null;
        }
        int hi = Character.digit(text.charAt(i + 1), 16);
        int lo = Character.digit(text.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
          encoded = text.substring(i, i + 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(encoded);
      }
    }
    try {
      return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }
}
