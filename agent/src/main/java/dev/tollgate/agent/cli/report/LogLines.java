package dev.tollgate.agent.cli.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  private LogLines() {}

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
