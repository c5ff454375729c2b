package dev.tollgate.agent.log;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The enforcement log: JSON Lines, one object per event, appended and flushed per event so a crash loses
 * nothing already decided. Each line is written with a single {@code write} on an append-mode file.
 * Callers never pass secrets or prompt text: tool arguments arrive here only as a digest.
 */
public final class EnforcementLog implements Closeable {
  private static final Logger LOG = Diagnostics.logger(EnforcementLog.class);
  private final JsonFactory json = new JsonFactory();
  private final OutputStream out;
  private final Path path;
  private final Clock clock;
  private boolean failed;
  private boolean closed;

  private EnforcementLog(OutputStream out, Path path, Clock clock) {
    this.out = out;
    this.path = path;
    this.clock = clock;
  }

  public static EnforcementLog open(Path path, Clock clock) throws IOException {
    Path abs = path.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    return new EnforcementLog(new FileOutputStream(abs.toFile(), true), abs, clock);
  }

  public Path path() {
    return path;
  }

  /** Appends one event. Never throws: a failing log is reported once on stderr. */
  public void write(Event event) {
    byte[] line;
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
      try (JsonGenerator g = json.createGenerator(buf, JsonEncoding.UTF8)) {
        g.writeStartObject();
        g.writeStringField("ts", Instant.now(clock).toString());
        g.writeStringField("event", event.name());
        for (Map.Entry<String, Object> f : event.fields().entrySet()) {
          g.writeFieldName(f.getKey());
          JsonValues.write(g, f.getValue());
        }
        g.writeEndObject();
      }
      buf.write('\n');
      line = buf.toByteArray();
    } catch (IOException e) {
      reportFailure(e);
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      try {
        out.write(line);
        out.flush();
      } catch (IOException e) {
        reportFailure(e);
      }
    }
  }

  private synchronized void reportFailure(IOException e) {
    if (!failed) {
      failed = true;
      LOG.error("cannot write the enforcement log {}: {} (further failures are not reported)", path, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try {
        out.close();
      } catch (IOException e) {
        reportFailure(e);
      }
    }
  }
}
