package dev.tollgate.agent.cli.operate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command's words and {@code --name value} options; unknown or repeated options are usage errors. */
final class Options {
  final List<String> words = new ArrayList<>();
  private final Map<String, String> values = new LinkedHashMap<>();

  Options(String[] args, int from, Set<String> known) {
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--")) {
        if (!known.contains(a)) {
          throw new UsageException("unknown option " + a + " (known: " + String.join(", ", known) + ")");
        }
        if (i + 1 >= args.length || args[i + 1].startsWith("--") && !a.equals("--help")) {
          throw new UsageException(a + " needs a value");
        }
        if (values.put(a, args[++i]) != null) {
          throw new UsageException(a + " given twice");
        }
      } else {
        words.add(a);
      }
    }
  }

  String get(String name) {
    return values.get(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String required(String name, String what) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      throw new UsageException(name + " is required: " + what);
    }
    return v;
  }

  /** {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}. */
  static Duration duration(String option, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)").matcher(text);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new UsageException(option + " must be a positive whole number and a unit (ms, s, m, h or d), such as "
          + "\"2h\", got \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A mistake in how the command was called: exit 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }
}
