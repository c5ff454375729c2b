package dev.tollgate.agent.launch;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.jar.JarFile;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;

/**
 * The agent's own classes and libraries, one jar entry ({@value #ENTRY}, stored uncompressed) instead of 5 800. The
 * JDK reads a jar's whole central directory when it opens it, entry by entry (the app's class loader opens ours to
 * load the launcher, so this happens on premain's thread; its loop became hot enough for C2 to compile): a jar with
 * a few dozen entries opens in a third of the time. This pack is read lazily instead: a fixed header, an
 * open-addressing hash table and the entries' records (read once, as one array, never parsed into objects), then
 * each entry's bytes, deflated, found by a hash lookup and read by a positional skip within the stored jar entry.
 *
 * <p>Layout (big-endian): {@code int magic, int slots, int indexLength, int entries}; the index ({@code indexLength}
 * bytes): {@code slots} ints, each 0 or 1 + the offset of a record within the index; the records: {@code int hash
 * (String.hashCode of the name), u2 name length, the name in UTF-8, int data offset, int stored length, int raw
 * length, u1 method (0 stored, 8 deflated with the zlib wrapper)}; then the data. A name is a resource path as a
 * class loader sees it ({@code net/bytebuddy/ByteBuddy.class}); the table is probed linearly from {@code (hash &
 * 0x7fffffff) % slots}. Written at package time by {@code dev.tollgate.agent.installer.InstPackWriter}.
 */
final class InstPack {
  static final String ENTRY = "inst.pack";
  static final int MAGIC = 0x54475031; // "TGP1"
  static final int HEADER = 16;
  /** An entry's method byte: kept as it was; any other value (8) is deflated. */
  static final int STORED = 0;

  private final JarFile jar;
  private final ZipEntry entry;
  private final byte[] index;
  private final int slots;
  private final long dataStart;
  private final URLStreamHandler handler = new Handler();
  /** Inflates every deflated entry (see {@link #read}); never ended: it lives as long as the agent's loader. */
  private final Inflater inflater = new Inflater();

  private InstPack(JarFile jar, ZipEntry entry, byte[] index, int slots) {
    this.jar = jar;
    this.entry = entry;
    this.index = index;
    this.slots = slots;
    this.dataStart = HEADER + (long) index.length;
  }

  /** The pack inside {@code jar}; an {@link IOException} naming the jar if it has none or it is damaged. */
  static InstPack open(JarFile jar) throws IOException {
    ZipEntry entry = jar.getEntry(ENTRY);
    if (entry == null) {
      throw new IOException(jar.getName() + " has no " + ENTRY + ": not a Tollgate agent jar, or a damaged one");
    }
    try (InputStream in = jar.getInputStream(entry)) {
      byte[] header = in.readNBytes(HEADER);
      if (header.length < HEADER || intAt(header, 0) != MAGIC) {
        throw new IOException(jar.getName() + ": " + ENTRY + " is not a Tollgate pack (bad header)");
      }
      int slots = intAt(header, 4);
      int indexLength = intAt(header, 8);
      if (slots <= 0 || indexLength < slots * 4) {
        throw new IOException(jar.getName() + ": " + ENTRY + " has a damaged header");
      }
      byte[] index = in.readNBytes(indexLength);
      if (index.length < indexLength) {
        throw new IOException(jar.getName() + ": " + ENTRY + " is truncated");
      }
      return new InstPack(jar, entry, index, slots);
    }
  }

  /** The offset of {@code name}'s record within the index, or -1 if the pack does not hold it. */
  int find(String name) {
    int hash = name.hashCode();
    byte[] utf8 = null;
    int slot = (hash & 0x7fffffff) % slots;
    for (int probes = 0; probes < slots; probes++) {
      int ref = intAt(index, slot * 4);
      if (ref == 0) {
        return -1;
      }
      int record = ref - 1;
      if (intAt(index, record) == hash) {
        if (utf8 == null) {
          utf8 = name.getBytes(StandardCharsets.UTF_8);
        }
        if (nameEquals(record, utf8)) {
          return record;
        }
      }
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
    return -1;
  }

  private boolean nameEquals(int record, byte[] utf8) {
    int length = u2At(index, record + 4);
    if (length != utf8.length) {
      return false;
    }
    int at = record + 6;
    for (int i = 0; i < length; i++) {
      if (index[at + i] != utf8[i]) {
        return false;
      }
    }
    return true;
  }

  /** The bytes of the entry whose record {@link #find} returned. */
  byte[] read(int record) throws IOException {
    int after = record + 6 + u2At(index, record + 4);
    long offset = intAt(index, after) & 0xffffffffL;
    int storedLength = intAt(index, after + 4);
    int rawLength = intAt(index, after + 8);
    int method = index[after + 12] & 0xff;
    long size = entry.getSize(); // known: the entry is stored
    if (storedLength < 0 || rawLength < 0 || (size >= 0 && dataStart + offset + storedLength > size)) {
      throw new IOException(jar.getName() + ": " + ENTRY + " has a damaged record (its entry lies outside the pack)");
    }
    byte[] stored = new byte[storedLength]; // one array: readNBytes(int) would gather 8 KB chunks and copy them
    int got;
    try (InputStream in = jar.getInputStream(entry)) {
      // positional within a stored jar entry (the JDK's stream moves its position; nothing is read)
      in.skipNBytes(dataStart + offset);
      got = in.readNBytes(stored, 0, storedLength);
    }
    if (got < storedLength) {
      throw new IOException(jar.getName() + ": " + ENTRY + " is truncated");
    }
    if (method == STORED) {
      return stored;
    }
    byte[] raw = new byte[rawLength];
    int done = 0;
    // One inflater for the pack's life, reset per entry: a new one per class (~300 at a start) set up zlib's state
    // and registered a cleaner each time. Held only while inflating (tens of microseconds); class loads on several
    // threads take turns here.
    synchronized (inflater) {
      inflater.reset();
      inflater.setInput(stored);
      try {
        while (done < rawLength) {
          int n = inflater.inflate(raw, done, rawLength - done);
          if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
            break;
          }
          done += n;
        }
      } catch (DataFormatException e) {
        throw new IOException(jar.getName() + ": " + ENTRY + " has a damaged entry", e);
      }
    }
    if (done != rawLength) {
      throw new IOException(jar.getName() + ": " + ENTRY + " has a damaged entry (" + done + " of " + rawLength
          + " bytes)");
    }
    return raw;
  }

  /** A stream of {@code name}'s bytes, or null if the pack does not hold it. */
  InputStream stream(String name) throws IOException {
    int record = find(name);
    return record < 0 ? null : new ByteArrayInputStream(read(record));
  }

  /**
   * A URL for {@code name}, for callers that need one ({@code ServiceLoader} reads {@code META-INF/services} this
   * way): {@code tollgate-inst:/name}, opened by this pack, never by the JDK's URL handlers.
   */
  @SuppressWarnings("deprecation") // URL(String, String, int, String, URLStreamHandler): URL.of is JDK 20+
  URL url(String name) throws IOException {
    return new URL("tollgate-inst", null, -1, "/" + name, handler);
  }

  private final class Handler extends URLStreamHandler {
    @Override
    protected URLConnection openConnection(URL u) {
      String name = u.getPath().startsWith("/") ? u.getPath().substring(1) : u.getPath();
      return new URLConnection(u) {
        @Override
        public void connect() {
          connected = true;
        }

        @Override
        public InputStream getInputStream() throws IOException {
          InputStream in = stream(name);
          if (in == null) {
            throw new FileNotFoundException(u.toString());
          }
          return in;
        }
      };
    }
  }

  static int intAt(byte[] b, int at) {
    return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
  }

  private static int u2At(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }
}
