package dev.tollgate.agent.cli.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The lines of enforcement logs, one at a time (never a whole file in memory), each with where it came from.
 * Arguments are files, globs ({@code logs/tollgate-*.jsonl.gz}: {@code *} and {@code ?} in the last path element),
 * or {@code -} for standard input; gzip is recognised by its magic bytes, so rotated {@code .gz} files need no flag.
 */
final class LogLines {
  /** One line and its location, {@code FILE:LINE}. */
  record Line(String source, long number, String text, boolean last) {
    String where() {
      return source + ":" + number;
    }
  }

  interface Sink {
    void accept(Line line) throws IOException;
  }

  /** Takes one event; an exception names the line as one that is not an event. */
  interface EventSink {
    void accept(Map<String, Object> event, Line line) throws IOException;
  }

  private LogLines() {}

  /**
   * Feeds every event of the logs the arguments name to {@code sink}, and prints each problem on {@code err} as
   * {@code FILE:LINE: message}: a line that is not an event (or that {@code sink} rejects), a file that cannot be
   * read. A torn last line, which a crash can leave, is only warned about. Returns the number of problems, or -1
   * when the arguments name no file (said on {@code err}).
   */
  static int events(List<String> logs, InputStream stdin, PrintStream err, String command, EventSink sink) {
    List<Path> files;
    try {
      files = expand(logs);
    } catch (IOException e) {
      err.println("tollgate " + command + ": " + e.getMessage());
      return -1;
    }
    int[] problems = {0};
    for (Path file : files) {
      try {
        read(file, stdin, line -> {
          if (line.text().isBlank()) {
            return;
          }
          try {
            Map<String, Object> event = EventReader.read(line.text());
            if (event.get("event") == null || event.get("ts") == null) {
              throw new IOException("not an enforcement log event (an object with \"ts\" and \"event\")");
            }
            sink.accept(event, line);
          } catch (IOException | DateTimeParseException | ArithmeticException | NumberFormatException e) {
            if (line.last()) {
              err.println(line.where() + ": warning: the last line is incomplete (a write cut short?); skipped");
            } else {
              problems[0]++;
              err.println(line.where() + ": " + ReportCommand.shortMessage(e));
            }
          }
        });
      } catch (IOException e) {
        problems[0]++;
        err.println((file == null ? "<stdin>" : file) + ": cannot read: " + ReportCommand.shortMessage(e));
      }
    }
    return problems[0];
  }

  /**
   * Adds the values after {@code --log} at {@code args[i]} to {@code logs}: every argument up to the next option
   * ({@code -} is standard input, not an option). Returns the index of the last one taken.
   */
  static int logArguments(String[] args, int i, List<String> logs) {
    while (i + 1 < args.length && (!args[i + 1].startsWith("--") || args[i + 1].equals("-"))) {
      logs.add(args[++i]);
    }
    return i;
  }

  /** The files the arguments name, in order; a glob that matches nothing is an error naming it. */
  static List<Path> expand(List<String> args) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("-")) {
        files.add(null);
        continue;
      }
      Path path = Path.of(arg);
      String name = path.getFileName() == null ? arg : path.getFileName().toString();
      if (name.indexOf('*') < 0 && name.indexOf('?') < 0) {
        files.add(path);
        continue;
      }
      Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
      List<Path> matched = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, name)) {
        stream.forEach(matched::add);
      }
      if (matched.isEmpty()) {
        throw new IOException(arg + ": no file matches");
      }
      matched.sort(null);
      files.addAll(matched);
    }
    return files;
  }

  /** Feeds every line of {@code file} (null: standard input) to {@code sink}. */
  static void read(Path file, InputStream stdin, Sink sink) throws IOException {
    String source = file == null ? "<stdin>" : file.toString();
    try (InputStream raw = file == null ? stdin : Files.newInputStream(file)) {
      PushbackInputStream in = new PushbackInputStream(raw, 2);
      byte[] magic = in.readNBytes(2);
      if (magic.length > 0) {
        in.unread(magic);
      }
      boolean gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
      InputStream body = gzip ? new GZIPInputStream(in, 65536) : in;
      BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
      String line = reader.readLine();
      long number = 0;
      while (line != null) {
        String next = reader.readLine();
        number++;
        sink.accept(new Line(source, number, line, next == null));
        line = next;
      }
    }
  }
}
