package dev.tollgate.policy.store;

import dev.tollgate.policy.budget.LedgerKey;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.event.JsonLine;
import dev.tollgate.policy.event.Line;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's audit journal: operators' resets and overrides, approval requests and their answers, in the order they
 * were made, shared by every JVM of the store (a file next to the file ledger, a Redis list under the key prefix).
 *
 * <p>Tamper-evident like the ledger: line {@code n} is {@code JSON TAB code}, where code is the ledger key's
 * authentication code of the journal's name, {@code n}, the previous line's code and the JSON. A line that was
 * changed, removed from the middle, reordered or written without the key stops {@link #read} with an
 * {@link IOException} naming the line; nothing after it is applied. Appends are compare-and-append on the line
 * count, so writers racing from several processes never fork the chain.
 */
public abstract class AuditJournal {
  private static final String DOMAIN = "tollgate-audit v1";
  private final LedgerKey key;

  protected AuditJournal(LedgerKey key) {
    this.key = key;
  }

  /** Where the journal is, for messages ({@code /srv/app/.tollgate/audit.log}, {@code redis {tollgate}audit}). */
  public abstract String where();

  /** Raw lines from index {@code from} on (0: all). */
  protected abstract List<String> lines(long from) throws IOException;

  /** Appends {@code line} if the journal has exactly {@code count} lines; false when another writer got there. */
  protected abstract boolean appendIfCount(long count, String line) throws IOException;

  /** Every record, each verified against the chain. */
  public Page readAll() throws IOException {
    return readAfter(Page.START);
  }

  /**
   * The records after those of {@code after} (a page this journal returned before, whose chain is verified), each
   * verified against the chain.
   */
  public Page readAfter(Page after) throws IOException {
    List<String> raw = lines(after.next());
    List<AuditEvent> records = new ArrayList<>(raw.size());
    String previous = after.lastCode();
    for (int r = 0; r < raw.size(); r++) {
      long i = after.next() + r;
      String line = raw.get(r);
      int tab = line.lastIndexOf('\t');
      if (tab < 0 || !key.verify(data(i, previous, line.substring(0, tab)), line.substring(tab + 1))) {
        throw new IOException(where() + ":" + (i + 1) + ": the audit record's authentication code does not match: it "
            + "was forged, changed, moved or written with another ledger key; Tollgate applies nothing from here on");
      }
      previous = line.substring(tab + 1);
      try {
        records.add(AuditEvent.readRecord(new Line(JsonLine.parse(line.substring(0, tab)))));
      } catch (IOException | RuntimeException e) {
        throw new IOException(where() + ":" + (i + 1) + ": not an audit record: " + e.getMessage(), e);
      }
    }
    return new Page(records, after.next() + raw.size(), previous);
  }

  /** Appends one record at the end of the chain (retrying when another writer appended first). */
  public void append(AuditEvent record) throws IOException {
    appendUnless(record, records -> null);
  }

  /**
   * Appends one record at the end of the chain unless {@code refuse}, asked about the records it would follow (those
   * of the very chain it extends, so no writer gets in between), gives a reason not to; that reason, or null when it
   * was appended.
   */
  public <T> T appendUnless(AuditEvent record, java.util.function.Function<List<AuditEvent>, T> refuse)
      throws IOException {
    String json = JsonLine.write(record::writeRecord);
    for (int attempt = 0; attempt < 50; attempt++) {
      Page now = readAll();
      T no = refuse.apply(now.records());
      if (no != null) {
        return no;
      }
      String code = key.code(data(now.next(), now.lastCode(), json));
      if (appendIfCount(now.next(), json + '\t' + code)) {
        return null;
      }
    }
    throw new IOException(where() + ": could not append after 50 attempts: too many writers at once");
  }

  /**
   * Appends {@code answer} (an approve, deny, timeout or release) unless its request has an answer already, checked on
   * the chain it extends: that first answer, which is the call's, or null when this one was appended.
   */
  public AuditEvent appendAnswer(AuditEvent answer) throws IOException {
    return appendUnless(answer, records -> answerTo(records, answer.id()));
  }

  /**
   * The answer (approve, deny, timeout or release) to request {@code id} among {@code records}: the first one after
   * the request, which is the one every reader applies; null while it waits.
   */
  public static AuditEvent answerTo(List<AuditEvent> records, String id) {
    AuditEvent answer = null;
    for (AuditEvent e : records) {
      if (!id.equals(e.id())) {
        continue;
      }
      switch (e.action()) {
        case REQUEST -> answer = null;
        case APPROVE, DENY, TIMEOUT, RELEASE -> answer = answer == null ? e : answer;
        default -> { }
      }
    }
    return answer;
  }

  private static String data(long index, String previous, String json) {
    return DOMAIN + '\n' + index + '\n' + previous + '\n' + json;
  }

  /**
   * Records read, and where the next read starts.
   *
   * @param next     index of the first record not read yet
   * @param lastCode code of the last line (the chain's head)
   */
  public record Page(List<AuditEvent> records, long next, String lastCode) {
    /** Before the first record. */
    public static final Page START = new Page(List.of(), 0, "");
  }
}
