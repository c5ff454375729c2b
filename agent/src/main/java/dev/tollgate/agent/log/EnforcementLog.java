package dev.tollgate.agent.log;

import dev.tollgate.policy.event.Fields;
import dev.tollgate.policy.event.JsonBytes;
import dev.tollgate.policy.event.LogEvent;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * The enforcement log: JSON Lines, one object per event, append-only. Callers never pass secrets or prompt text:
 * tool arguments arrive here only as a digest.
 *
 * <p>Two ways to write, so that the decision path does no I/O:
 * <ul>
 *   <li>{@link #write}: the event is stamped and queued; the writer thread {@code tollgate-log} turns what is queued
 *       into JSON and appends it with one {@code write} per batch: what queued up while the previous batch was
 *       written and for at most 1 ms after it. A full queue makes the caller wait: nothing is dropped.</li>
 *   <li>{@link #writeDurably}: the same, and the caller returns only once its line (and every line queued before it)
 *       has been handed to the OS. For what refuses or halts something: the line is there before the host sees the
 *       refusal.</li>
 * </ul>
 * The log is one {@link EnforcementListener} of the guards' events; others (the metrics) are
 * {@linkplain #listen added} to it and see each event first, on the caller's thread, as it is written.
 *
 * <p>{@link #drainAndWriteSynchronously} (the agent's shutdown hook) writes what is queued and makes every later write
 * synchronous, so events from shutdown hooks that run after ours are not lost either. What a {@code kill -9} can
 * lose is what was queued and not yet written: the events of the last moments before the kill.
 */
public final class EnforcementLog implements EnforcementListener, Closeable {
  private static final Logger LOG = Diagnostics.logger(EnforcementLog.class);
  /** Events the queue holds before callers wait for the writer. */
  static final int CAPACITY = 8192;
  private static final int MAX_BATCH = 1024;
  /** How long the writer waits after a batch for more events to gather: the most a line waits for its write. */
  private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** How long shutdown's drain and {@link #close} wait for the writer to write the batch it holds and end. */
  private static final long WRITER_STOP_MILLIS = 2000;

  /** Opened on the first batch (with {@link #io} held); null until then, and after a failed open (retried). */
  private OutputStream out;
  private final Path path;
  private final Clock clock;
  private final ArrayBlockingQueue<Entry> queue = new ArrayBlockingQueue<>(CAPACITY);
  /** Held while a batch is serialised and written: batches never interleave. */
  private final Object io = new Object();
  /** The batch being written; replaced after a batch over 1 MiB so that one burst does not pin its memory. */
  private JsonBytes buffer = new JsonBytes(16 * 1024);
  /** Made on the first batch, by whichever thread writes it (with {@link #io} held): not on premain's thread. */
  private Timestamps timestamps;
  private final Thread writer;
  /** Copy on write: read on every event without a lock, changed only at start-up. */
  private volatile EnforcementListener[] listeners = new EnforcementListener[0];
  private volatile boolean listenerFailed;
  private volatile boolean synchronous;
  private volatile boolean closed;
  private boolean failed;
  private boolean dropReported;

  private EnforcementLog(Path path, Clock clock) {
    this.path = path;
    this.clock = clock;
    this.writer = new Thread("tollgate-log") { // a subclass, not a method reference: this runs in premain
      @Override
      public void run() {
        drainForever();
      }
    };
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * A log appending to {@code path}. What would keep it from being written is found here (its directory is made if
   * missing; it must be a writable file, or a writable directory must hold it), so that a wrong path still stops
   * the JVM before {@code main}; the file itself is opened, and the JSON writer made, by the first batch written, on
   * the writer thread, not on premain's path. An open that fails even so (the file's permissions changed since) is
   * reported once on stderr and tried again by the next batch; the batch it failed on is not written.
   */
  public static EnforcementLog open(Path path, Clock clock) throws IOException {
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    if (Files.isDirectory(abs)) {
      throw new IOException(abs + " is a directory");
    }
    if (Files.exists(abs)) {
      if (!Files.isWritable(abs)) {
        throw new java.nio.file.AccessDeniedException(abs.toString(), null, "not writable");
      }
    } else if (dir != null && !Files.isWritable(dir)) {
      throw new java.nio.file.AccessDeniedException(dir.toString(), null, "cannot create a file in this directory");
    }
    return new EnforcementLog(abs, clock);
  }

  public Path path() {
    return path;
  }

  /**
   * Adds a listener that sees every event written from now on, before the log queues it, on the writing thread.
   * It must be cheap (counter increments) and must not throw.
   */
  public synchronized void listen(EnforcementListener listener) {
    EnforcementListener[] now = listeners;
    EnforcementListener[] next = java.util.Arrays.copyOf(now, now.length + 1);
    next[now.length] = listener;
    listeners = next;
  }

  /** Events queued and not yet written: a gauge of how far the writer thread is behind. */
  public int queueDepth() {
    return queue.size();
  }

  @Override
  public void onEvent(LogEvent event, boolean durable) {
    if (durable) {
      writeDurably(event);
    } else {
      write(event);
    }
  }

  /** Queues one event, stamped now. Never throws: a failing log is reported once on stderr. */
  public void write(LogEvent event) {
    tell(event, false);
    append(new Entry(event, clock.instant()), false);
  }

  /** Writes one event and returns once it (and everything queued before it) is written. Never throws. */
  public void writeDurably(LogEvent event) {
    tell(event, true);
    append(new Entry(event, clock.instant()), true);
  }

  private void tell(LogEvent event, boolean durable) {
    for (EnforcementListener l : listeners) {
      try {
        l.onEvent(event, durable);
      } catch (RuntimeException e) {
        reportListenerFailure(l, e);
      }
    }
  }

  private void reportListenerFailure(EnforcementListener l, RuntimeException e) {
    if (!listenerFailed) {
      listenerFailed = true;
      LOG.error("enforcement listener {} failed: {} (further failures are not reported)", l, e.toString());
    }
  }

  /** Returns once every event queued before this call is written. */
  public void flush() {
    append(new Entry(null, null), true);
  }

  /**
   * Writes what is queued, then makes every later write synchronous on the caller's thread: for shutdown, when the
   * writer thread may stop at any moment.
   */
  public void drainAndWriteSynchronously() {
    synchronous = true;
    stopWriter();
    drainAndWrite(null);
  }

  /**
   * Stops the writer thread and waits (at most {@link #WRITER_STOP_MILLIS}) for it to end. Not with {@link #io} held:
   * the writer takes a batch's first event from the queue before it takes {@code io}, so an event can be in its hand
   * alone, in neither the queue nor the file; interrupted, it still writes that batch, first, then ends (its next
   * {@code parkNanos} and {@code take} see the interrupt). Draining without this would write that event after the
   * drain returned (out of order) or, at exit, never.
   */
  private void stopWriter() {
    if (Thread.currentThread() == writer) {
      return;
    }
    writer.interrupt();
    try {
      writer.join(WRITER_STOP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void append(Entry entry, boolean durable) {
    if (closed) {
      return;
    }
    Thread self = Thread.currentThread();
    if (synchronous || self == writer) {
      drainAndWrite(entry);
      return;
    }
    if (durable) {
      entry.waiter = self;
    }
    if (!queue.offer(entry) && !offerPatiently(entry)) {
      drainAndWrite(entry); // interrupted while the queue was full: write it here rather than lose it
      return;
    }
    if (durable) {
      LockSupport.unpark(writer); // cuts its linger short
      awaitWritten(entry);
    } else if (synchronous) {
      // shutdown's drain ran between the check above and the offer: the writer may be gone, so nobody else would
      // write it (synchronous is set before that drain takes the queue, so one of the two sees the entry)
      drainAndWrite(null);
    }
  }

  /** Waits for room in a full queue; false if the caller was interrupted (its interrupt is kept). */
  private boolean offerPatiently(Entry entry) {
    try {
      while (!queue.offer(entry, 10, TimeUnit.MILLISECONDS)) {
        if (!writer.isAlive()) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void awaitWritten(Entry entry) {
    while (!entry.written) {
      if (!writer.isAlive()) {
        drainAndWrite(null);
        return;
      }
      if (Thread.currentThread().isInterrupted()) {
        Thread.yield(); // park would return at once; the writer is at most one batch away
      } else {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
  }

  private void drainForever() {
    while (true) {
      Entry first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        return; // only stopWriter() interrupts the writer: shutdown's drain, close()
      }
      int written;
      synchronized (io) {
        List<Entry> batch = new ArrayList<>(Math.min(MAX_BATCH, queue.size() + 1));
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
        written = batch.size();
      }
      if (written < MAX_BATCH) {
        // let the next batch gather: while this thread is not blocked in take(), queuing an event wakes nobody
        // (a durable write wakes it at once; see append)
        LockSupport.parkNanos(this, LINGER_NANOS);
      }
    }
  }

  /** On the caller's thread: writes what is queued, then {@code last} if not null. */
  private void drainAndWrite(Entry last) {
    synchronized (io) {
      List<Entry> batch = new ArrayList<>(queue.size() + 1);
      queue.drainTo(batch);
      if (last != null) {
        batch.add(last);
      }
      writeBatch(batch);
    }
  }

  /** With {@link #io} held: one {@code write} for the whole batch, then wakes whoever waits for its entries. */
  private void writeBatch(List<Entry> batch) {
    try {
      buffer.reset();
      if (timestamps == null) {
        timestamps = new Timestamps();
      }
      for (Entry entry : batch) {
        if (entry.event != null) {
          int mark = buffer.size();
          try {
            serialize(entry);
          } catch (RuntimeException e) { // an event that cannot write itself (a bug): the others are still written
            buffer.truncate(mark);
            reportDropped(entry, e);
          }
        }
      }
      if (buffer.size() > 0 && !closed) {
        if (out == null) {
          out = new FileOutputStream(path.toFile(), true);
        }
        buffer.writeTo(out);
        out.flush();
      }
      if (buffer.size() > 1 << 20) {
        buffer = new JsonBytes(16 * 1024);
      }
    } catch (IOException | RuntimeException e) {
      reportFailure(e);
    } finally {
      for (Entry entry : batch) {
        entry.written = true;
        Thread waiter = entry.waiter;
        if (waiter != null) {
          LockSupport.unpark(waiter);
        }
      }
    }
  }

  /** One line: {@code ts} and {@code event} first, then the event's fields. */
  private void serialize(Entry entry) {
    Fields f = buffer.startObject();
    f.put("ts", timestamps.format(entry.ts));
    f.put("event", entry.event.name());
    entry.event.write(f);
    buffer.endObject().raw('\n');
  }

  /** Once: the exception's class only, as its message may quote what the event held. */
  private void reportDropped(Entry entry, RuntimeException e) {
    if (!dropReported) {
      dropReported = true;
      LOG.error("dropped a {} line of the enforcement log {}: it could not be written ({}); the lines around it were "
          + "written (further dropped lines are not reported)", entry.event.name(), path, e.getClass().getName());
    }
  }

  private void reportFailure(Exception e) {
    if (!failed) {
      failed = true;
      LOG.error("cannot write the enforcement log {}: {} (further failures are not reported)", path, e.toString());
    }
  }

  /** Writes what is queued and closes the file; later events are dropped. */
  @Override
  public void close() {
    stopWriter();
    synchronized (io) {
      if (closed) {
        return;
      }
      drainAndWrite(null);
      closed = true;
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        reportFailure(e);
      }
    }
  }

  /** One queued event ({@code null} for a flush marker) and when it happened. */
  private static final class Entry {
    final LogEvent event;
    final Instant ts;
    volatile Thread waiter;
    volatile boolean written;

    Entry(LogEvent event, Instant ts) {
      this.event = event;
      this.ts = ts;
    }
  }
}
