package dev.tollgate.agent.launch;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
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
 * each entry's bytes, found by a hash lookup and read at its offset in the jar file (a positional skip within the
 * stored jar entry if the pack's place in the file cannot be found), inflated if the writer deflated it.
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
  /**
   * The jar file, read at the pack's offset in it ({@link #at}), or null: then each read opens the jar entry's stream
   * and skips to the record's data. Read under its own lock (seek, then read); a {@code RandomAccessFile}, not a
   * {@code FileChannel}: a channel is closed for good by the first read on an interrupted thread, and any app thread
   * may be the one loading an agent class.
   */
  private final RandomAccessFile file;
  /** Where the pack begins in the jar file when {@link #file} is set. Like the jar, the file stays open. */
  private final long at;

  private InstPack(JarFile jar, ZipEntry entry, byte[] index, int slots, RandomAccessFile file, long at) {
    this.jar = jar;
    this.entry = entry;
    this.index = index;
    this.slots = slots;
    this.dataStart = HEADER + (long) index.length;
    this.file = file;
    this.at = at;
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
      RandomAccessFile file = null;
      long at = -1;
      try {
        file = new RandomAccessFile(jar.getName(), "r");
        at = offsetIn(file, entry, header);
      } catch (IOException | RuntimeException e) {
        at = -1; // read through the entry's stream instead
      }
      if (at < 0 && file != null) {
        file.close();
        file = null;
      }
      return new InstPack(jar, entry, index, slots, file, at);
    }
  }

  /**
   * Where the data of {@code entry} (stored, not deflated) begins in the zip {@code file}, found through the zip's end
   * record, its central directory and the entry's local header, and checked against the pack's {@code header} read
   * through the JDK; -1 if it is deflated, the zip is one this does not follow (ZIP64, a comment longer than the
   * search) or the bytes there are not that header.
   */
  static long offsetIn(RandomAccessFile file, ZipEntry entry, byte[] header) throws IOException {
    if (entry.getMethod() != ZipEntry.STORED) {
      return -1;
    }
    long length = file.length();
    int tail = (int) Math.min(length, 22 + 0xffff);
    byte[] end = new byte[tail];
    file.seek(length - tail);
    file.readFully(end);
    int eocd = -1;
    for (int i = tail - 22; i >= 0; i--) {
      if (le4(end, i) == 0x06054b50L && i + 22 + le2(end, i + 20) == tail) { // its comment ends the file
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      return -1;
    }
    long cdSize = le4(end, eocd + 12);
    long cdOffset = le4(end, eocd + 16);
    if (cdOffset == 0xffffffffL || cdSize > Integer.MAX_VALUE || cdOffset + cdSize > length) {
      return -1;
    }
    byte[] cd = new byte[(int) cdSize];
    file.seek(cdOffset);
    file.readFully(cd);
    byte[] name = ENTRY.getBytes(StandardCharsets.UTF_8);
    for (int p = 0; p + 46 <= cd.length && le4(cd, p) == 0x02014b50L; ) {
      int nameLength = le2(cd, p + 28);
      int next = p + 46 + nameLength + le2(cd, p + 30) + le2(cd, p + 32);
      if (nameLength == name.length && java.util.Arrays.equals(cd, p + 46, p + 46 + nameLength, name, 0, name.length)) {
        long local = le4(cd, p + 42);
        byte[] loc = new byte[30];
        file.seek(local);
        file.readFully(loc);
        if (le4(loc, 0) != 0x04034b50L) {
          return -1;
        }
        long data = local + 30 + le2(loc, 26) + le2(loc, 28);
        byte[] found = new byte[HEADER];
        file.seek(data);
        file.readFully(found);
        return java.util.Arrays.equals(found, 0, HEADER, header, 0, HEADER) ? data : -1;
      }
      p = next;
    }
    return -1;
  }

  private static long le4(byte[] b, int i) {
    return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
  }

  private static int le2(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  /** Whether entries are read at their offsets in the jar file (else through the jar entry's stream). */
  boolean readsTheFile() {
    return file != null;
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
    if (file != null) {
      got = storedLength;
      try {
        synchronized (file) {
          file.seek(at + dataStart + offset);
          file.readFully(stored);
        }
      } catch (java.io.EOFException e) {
        got = -1;
      }
    } else {
      try (InputStream in = jar.getInputStream(entry)) {
        // positional within a stored jar entry (the JDK's stream moves its position; nothing is read)
        in.skipNBytes(dataStart + offset);
        got = in.readNBytes(stored, 0, storedLength);
      }
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
