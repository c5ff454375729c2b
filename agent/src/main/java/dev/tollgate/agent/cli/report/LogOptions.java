package dev.tollgate.agent.cli.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a command that reads enforcement logs ({@code report}, {@code simulate}): {@code --log} with
 * one or more files, globs or {@code -}, {@code --help}, and one value for each other option the command knows.
 */
final class LogOptions {
  final List<String> logs = new ArrayList<>();
  final Map<String, String> values = new HashMap<>();
  boolean help;

  private LogOptions() {}

  /** The options, or an {@link IllegalArgumentException} saying what is wrong with them. */
  static LogOptions parse(String[] args, Set<String> options) {
    LogOptions o = new LogOptions();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        o.help = true;
        return o;
      } else if (a.equals("--log")) {
        i = LogLines.logArguments(args, i, o.logs);
      } else if (options.contains(a)) {
        o.values.put(a, ReportCommand.value(args, ++i, a));
      } else {
        throw new IllegalArgumentException("unknown option \"" + a + "\"");
      }
    }
    if (o.logs.isEmpty()) {
      throw new IllegalArgumentException("--log needs at least one file, glob or - (standard input)");
    }
    return o;
  }

  /** Says what is wrong and how the command is used; returns the usage error's exit status, 2. */
  static int usageError(String command, String usage, IllegalArgumentException e, PrintStream err) {
    err.println("tollgate " + command + ": " + e.getMessage());
    err.println(usage);
    return 2;
  }
}
