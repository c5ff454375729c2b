package dev.tollgate.agent.installer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;

/**
 * Build-time tool (run by the agent module's package phase, never by the agent): writes the pack the agent's class
 * loader reads its classes and resources from, in the layout {@code dev.tollgate.agent.launch.InstPack} documents.
 * {@code java InstPackWriter LAYOUT_DIR OUT_FILE [--raw=PREFIX...] [EXCLUDED_PREFIX...]}: every file under the directory
 * whose relative path starts with none of the excluded prefixes, in name order (the same input gives the same bytes).
 * Entries under a {@code --raw} prefix are kept as they are, not deflated: the classes a start loads (the agent's own,
 * the policy's regex engine, the logging API) are then read without inflating them, ~300 of them on premain's path
 * and beside it (a few milliseconds of CPU), for ~2 MB more on disk; the rest (ByteBuddy, the Redis and metrics
 * clients: loaded on a cold start or when configured) stays deflated.
 */
public final class InstPackWriter {
  public static final int MAGIC = 0x54475031; // "TGP1", as InstPack
  static final int STORED = 0;
  static final int DEFLATED = 8;

  private InstPackWriter() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: InstPackWriter LAYOUT_DIR OUT_FILE [EXCLUDED_PREFIX...]");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    List<String> excluded = new ArrayList<>();
    List<String> raw = new ArrayList<>();
    for (String a : List.of(args).subList(2, args.length)) {
      if (a.startsWith("--raw=")) {
        raw.add(a.substring("--raw=".length()));
      } else {
        excluded.add(a);
      }
    }
    List<String> names;
    try (Stream<Path> files = Files.walk(root)) {
      names = files.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(n -> excluded.stream().noneMatch(n::startsWith))
          .sorted()
          .collect(Collectors.toList());
    }
    List<byte[]> contents = new ArrayList<>();
    for (String name : names) {
      contents.add(Files.readAllBytes(root.resolve(name)));
    }
    try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
      write(names, contents, out, n -> raw.stream().anyMatch(n::startsWith));
    }
    System.out.println("InstPackWriter: " + names.size() + " entries -> " + args[1]);
  }

  /** Writes the pack of {@code names} (resource paths, distinct) with their {@code contents}, each deflated if smaller. */
  public static void write(List<String> names, List<byte[]> contents, OutputStream sink) throws IOException {
    write(names, contents, sink, n -> false);
  }

  /** As {@link #write(List, List, OutputStream)}; the entries {@code keepRaw} accepts are kept as they are. */
  public static void write(List<String> names, List<byte[]> contents, OutputStream sink,
      java.util.function.Predicate<String> keepRaw) throws IOException {
    int count = names.size();
    int slots = Math.max(1, count * 2 + 1);
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    DataOutputStream rec = new DataOutputStream(records);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    int[] table = new int[slots];
    int indexBase = slots * 4;
    for (int i = 0; i < count; i++) {
      String name = names.get(i);
      byte[] raw = contents.get(i);
      byte[] deflated = keepRaw.test(name) ? raw : deflate(raw);
      boolean stored = deflated.length >= raw.length;
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > 0xffff) {
        throw new IOException("name too long: " + name);
      }
      int hash = name.hashCode();
      int slot = (hash & 0x7fffffff) % slots;
      while (table[slot] != 0) {
        slot = slot + 1 == slots ? 0 : slot + 1;
      }
      table[slot] = indexBase + records.size() + 1;
      rec.writeInt(hash);
      rec.writeShort(utf8.length);
      rec.write(utf8);
      rec.writeInt(data.size());
      rec.writeInt(stored ? raw.length : deflated.length);
      rec.writeInt(raw.length);
      rec.writeByte(stored ? STORED : DEFLATED);
      data.write(stored ? raw : deflated);
    }
    rec.flush();
    DataOutputStream out = new DataOutputStream(sink);
    out.writeInt(MAGIC);
    out.writeInt(slots);
    out.writeInt(indexBase + records.size());
    out.writeInt(count);
    for (int ref : table) {
      out.writeInt(ref);
    }
    records.writeTo(out);
    data.writeTo(out);
    out.flush();
  }

  private static byte[] deflate(byte[] raw) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(raw);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }
}
