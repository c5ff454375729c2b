package dev.tollgate.policy.budget;

import dev.tollgate.policy.Budget;
import dev.tollgate.policy.BudgetScope;
import dev.tollgate.policy.LedgerSettings;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.store.Adjustments;
import dev.tollgate.policy.store.AuditJournal;
import dev.tollgate.policy.store.Claim;
import dev.tollgate.policy.store.KeyState;
import dev.tollgate.policy.store.RedisStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an operator does to a policy's budgets from outside the app ({@code status}, {@code budget reset},
 * {@code budget override}, {@code approvals}, {@code approve}, {@code deny}), over the store the policy names. Every
 * change is one record in the store's audit journal, which running JVMs apply within 2 seconds; what a JVM cannot
 * apply by itself (the fleet's shared spend in Redis, a file ledger no JVM holds) is changed here.
 */
public final class Operator implements AutoCloseable {
  private final Policy policy;
  private final Clock clock;
  private final RedisStore redis;
  private final Path dir;
  private final Path keyFile;
  private final AuditJournal journal;

  private Operator(Policy policy, Clock clock, RedisStore redis, Path dir, Path keyFile, AuditJournal journal) {
    this.policy = policy;
    this.clock = clock;
    this.redis = redis;
    this.dir = dir;
    this.keyFile = keyFile;
    this.journal = journal;
  }

  /**
   * The store of {@code policy}: its Redis (with {@code redisPassword}, or none) or its ledger directory (relative paths
   * are taken from the working directory, as the agent takes them).
   */
  public static Operator open(Policy policy, Clock clock, String redisPassword) throws IOException {
    LedgerSettings ledger = policy.ledger();
    Path dir = Path.of(ledger.dir());
    Path keyFile = ledger.keyFile() == null ? null : Path.of(ledger.keyFile());
    if (ledger.store() == LedgerSettings.Store.REDIS && ledger.redis() != null) {
      RedisStore redis = new RedisStore(ledger.redis(), redisPassword);
      LedgerKey key = LedgerKey.forStore(dir, keyFile);
      return new Operator(policy, clock, redis, dir, keyFile, redis.journal(key));
    }
    return new Operator(policy, clock, null, dir, keyFile, FileAuditJournal.open(dir, keyFile));
  }

  /** The file store of {@code policy} with {@code journal} in place of its own (tests: a journal raced by others). */
  static Operator of(Policy policy, Clock clock, AuditJournal journal) {
    return new Operator(policy, clock, null, Path.of(policy.ledger().dir()), null, journal);
  }

  public AuditJournal journal() {
    return journal;
  }

  /** Where the store is, for output: the Redis URL (password as {@code ***}) or the ledger directory. */
  public String where() {
    return redis != null ? redis.settings().redactedUrl() + " (key prefix " + redis.settings().keyPrefix() + ")"
        : dir.toAbsolutePath().toString();
  }

  public boolean fleet() {
    return redis != null;
  }

  /** The budget {@code name} of the policy; an error naming the policy's budgets when there is none. */
  public Budget budget(String name) {
    Budget b = find(name);
    if (b != null) {
      return b;
    }
    List<String> names = policy.budgets().stream().map(Budget::name).toList();
    throw new IllegalArgumentException("no budget named '" + name + "' in " + policy.source() + (names.isEmpty()
        ? " (it has no budgets)" : "; its budgets are: " + String.join(", ", names)));
  }

  /**
   * Every budget instance the store can show from here, with its limit as operators changed it: with Redis, the
   * fleet's session, day, month and total instances; with the file store, the ledger's day, month and total ones
   * (run, session and process instances live in each JVM).
   */
  public List<Instance> status() throws IOException {
    Adjustments adjustments = adjustments();
    long now = clock.millis();
    List<Instance> out = new ArrayList<>();
    if (redis != null) {
      for (KeyState s : redis.states()) {
        if (s.kind() == Claim.Kind.BUDGET) {
          Budget b = find(s.name());
          if (b != null) {
            out.add(new Instance(b, s.partition(), s.period(), s.spentNanos(), s.reservedNanos(), s.spentTokens(),
                adjustments.capNanos(b.name(), s.partition(), s.period(), b.maxNanos(), now),
                adjustments.capTokens(b.name(), s.partition(), s.period(), b.maxTokens(), now)));
          }
        }
      }
    } else {
      for (FileLedger.Entry e : FileLedger.peek(dir, keyFile)) {
        Budget b = find(e.budget());
        if (b != null) {
          out.add(new Instance(b, e.partition(), e.period(), e.totals().nanos(), 0, e.totals().tokens(),
              adjustments.capNanos(b.name(), e.partition(), e.period(), b.maxNanos(), now),
              adjustments.capTokens(b.name(), e.partition(), e.period(), b.maxTokens(), now)));
        }
      }
    }
    out.sort(java.util.Comparator.comparing((Instance i) -> i.budget().index()).thenComparing(
        i -> String.valueOf(i.period())).thenComparing(i -> String.valueOf(i.partition())));
    return out;
  }

  /**
   * The fleet's limit instances (session tool and LLM-call limits counted in Redis), with {@code max_calls} as
   * approvals raised it; empty with the file store.
   */
  public List<LimitInstance> limitStatus() throws IOException {
    List<LimitInstance> out = new ArrayList<>();
    if (redis != null) {
      Adjustments adjustments = null;
      long now = clock.millis();
      for (KeyState s : redis.states()) {
        if (s.kind() == Claim.Kind.COUNT) {
          for (dev.tollgate.policy.Limit l : policy.limits()) {
            if (l.name().equals(s.name())) {
              long max = l.maxCalls();
              if (l.onExceed() == dev.tollgate.policy.OnExceed.PAUSE && s.detail() == null) {
                adjustments = adjustments == null ? adjustments() : adjustments;
                max = adjustments.capCalls(l.name(), s.partition(), s.period(), max, now);
              }
              out.add(new LimitInstance(l, s.partition(), s.period(), s.detail(), s.calls(), max));
              break;
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * One limit instance as {@code status} shows it; {@code detail} is the loop guard's tool-and-arguments key;
   * {@code maxCalls} the cap in force (approvals of paused calls raise it), or {@link dev.tollgate.policy.Limit#UNSET}.
   */
  public record LimitInstance(dev.tollgate.policy.Limit limit, String partition, String period, String detail,
      long calls, long maxCalls) {}

  /** The overrides and approvals in the journal, as a JVM of this store applies them. */
  public Adjustments adjustments() throws IOException {
    Adjustments a = new Adjustments();
    for (AuditEvent e : journal.readAll().records()) {
      a.add(e);
    }
    return a;
  }

  /**
   * {@code budget reset}: the fleet's instances in Redis are cleared here (atomically per instance); JVMs clear their
   * own (run and process instances, and every instance with the file store) when they read the record. With the file
   * store and no JVM holding the ledger, its day, month and total instances are cleared here too.
   */
  public AuditEvent reset(String name, String partition, String period, String reason, String by) throws IOException {
    Budget b = budget(name);
    Long before = null;
    if (redis != null) {
      long sum = 0;
      for (KeyState s : redis.reset(Claim.Kind.BUDGET, name, partition, period)) {
        sum += s.spentNanos();
      }
      before = sum;
    } else if (persistent(b)) {
      before = resetLedgerIfFree(name, partition, period);
    }
    AuditEvent record = new AuditEvent(AuditEvent.Action.RESET, AuditEvent.newId(), clock.instant(), name, "budget", scope(b),
        partition, period, by, reason, before, before == null ? null : 0L, null, null, null, null, null, null, null,
        null, null);
    journal.append(record);
    return record;
  }

  /** Clears the ledger's matching instances when no JVM holds it; what they held, or null when a JVM holds it. */
  private Long resetLedgerIfFree(String name, String partition, String period) throws IOException {
    FileLedger ledger;
    try {
      ledger = FileLedger.open(dir, clock, policy.ledger().zone(), keyFile);
    } catch (FileLedger.InUseException e) {
      return null; // the JVM that holds it clears it when it reads the record
    }
    try (ledger) {
      long sum = 0;
      for (FileLedger.Entry e : FileLedger.peek(dir, keyFile)) {
        if (e.budget().equals(name) && (partition == null || partition.equals(e.partition()))
            && (period == null || period.equals(e.period()))) {
          ledger.reset(e.budget(), e.partition(), e.period());
          sum += e.totals().nanos();
        }
      }
      return sum;
    }
  }

  /**
   * {@code budget override}: raises (or sets) the limit of budget {@code name} (of one partition, or all), until
   * {@code until} (null: until reset by another override).
   */
  public AuditEvent override(String name, String partition, Long addNanos, Long setNanos, Long addTokens,
      Instant until, String reason, String by) throws IOException {
    Budget b = budget(name);
    if ((addNanos != null ? 1 : 0) + (setNanos != null ? 1 : 0) + (addTokens != null ? 1 : 0) != 1) {
      throw new IllegalArgumentException("give exactly one of --add-usd, --set-usd, --add-tokens");
    }
    if ((addNanos != null || setNanos != null) && b.maxNanos() < 0) {
      throw new IllegalArgumentException("budget '" + name + "' has no max_usd to raise");
    }
    if (addTokens != null && b.maxTokens() < 0) {
      throw new IllegalArgumentException("budget '" + name + "' has no max_tokens to raise");
    }
    if (until != null && !until.isAfter(clock.instant())) {
      throw new IllegalArgumentException("--until " + until + " is not in the future");
    }
    long now = clock.millis();
    Adjustments current = adjustments();
    long before = addTokens != null ? current.capTokens(name, partition, null, b.maxTokens(), now)
        : current.capNanos(name, partition, null, b.maxNanos(), now);
    AuditEvent record = new AuditEvent(AuditEvent.Action.OVERRIDE, AuditEvent.newId(), clock.instant(), name, "budget", scope(b),
        partition, null, by, reason, addTokens != null ? null : before, null, addNanos, setNanos, addTokens, until,
        null, null, null, null, null);
    current.add(record);
    Long after = addTokens != null ? null : current.capNanos(name, partition, null, b.maxNanos(), now);
    record = record.applied(record.before(), after);
    journal.append(record);
    return record;
  }

  /** Calls paused at a cap and still waiting: requested, not answered, not timed out. */
  public List<AuditEvent> waiting() throws IOException {
    Map<String, AuditEvent> open = new LinkedHashMap<>();
    for (AuditEvent e : journal.readAll().records()) {
      if (e.action() == AuditEvent.Action.REQUEST) {
        open.put(e.id(), e);
      } else if (e.action() == AuditEvent.Action.APPROVE || e.action() == AuditEvent.Action.DENY
          || e.action() == AuditEvent.Action.TIMEOUT || e.action() == AuditEvent.Action.RELEASE) {
        open.remove(e.id());
      }
    }
    Instant now = clock.instant();
    open.values().removeIf(r -> r.until() != null && !now.isBefore(r.until()));
    return new ArrayList<>(open.values());
  }

  /** {@code approve ID}: the paused call goes on, the limit of its instance raised by {@code addNanos} or what it needs. */
  public AuditEvent approve(String id, Long addNanos, String reason, String by) throws IOException {
    return approve(id, addNanos, null, reason, by);
  }

  /**
   * {@code approve ID}: the paused call goes on. A budget's instance is raised by {@code addNanos} or what the call
   * needs; a limit's {@code max_calls} (of that instance) by {@code addCalls} or what it needs (one call). An amount
   * of the other kind is a {@link WrongAmountException}.
   */
  public AuditEvent approve(String id, Long addNanos, Long addCalls, String reason, String by) throws IOException {
    AuditEvent request = request(id);
    if (request.aboutLimit() && addNanos != null) {
      throw new WrongAmountException("approval " + id + " is for limit '" + request.limit() + "' (calls): give "
          + "--add-calls N, not --add-usd");
    }
    if (!request.aboutLimit() && addCalls != null) {
      throw new WrongAmountException("approval " + id + " is for budget '" + request.limit() + "' (USD): give "
          + "--add-usd X, not --add-calls");
    }
    long add;
    if (request.aboutLimit()) {
      add = addCalls != null ? addCalls : request.needCalls() == null ? 1 : request.needCalls();
    } else {
      add = addNanos != null ? addNanos : request.need() == null ? 0 : request.need();
    }
    AuditEvent record = request.answer(AuditEvent.Action.APPROVE, clock.instant(), by, reason, add);
    answer(record);
    return record;
  }

  /**
   * Appends {@code record} if its call still waits when it is appended: the call may have timed out, been released or
   * been answered by another operator since {@link #waiting} read it, and an answer after the first one does nothing.
   */
  private void answer(AuditEvent record) throws IOException {
    AuditEvent first = journal.appendAnswer(record);
    if (first != null) {
      throw new IllegalArgumentException("approval " + record.id() + " was already answered: " + first.action().wire()
          + (first.by() == null ? "" : " by " + first.by()));
    }
  }

  /** An approval's amount of the wrong kind: USD for a limit, calls for a budget (a usage mistake). */
  public static final class WrongAmountException extends IllegalArgumentException {
    WrongAmountException(String message) {
      super(message);
    }
  }

  /** {@code deny ID}: the paused call is refused. */
  public AuditEvent deny(String id, String reason, String by) throws IOException {
    AuditEvent request = request(id);
    AuditEvent record = request.answer(AuditEvent.Action.DENY, clock.instant(), by, reason, null);
    answer(record);
    return record;
  }

  private AuditEvent request(String id) throws IOException {
    for (AuditEvent e : waiting()) {
      if (e.id().equals(id)) {
        return e;
      }
    }
    for (AuditEvent e : journal.readAll().records()) {
      if (e.id().equals(id) && e.action() != AuditEvent.Action.REQUEST) {
        throw new IllegalArgumentException("approval " + id + " was already answered: " + e.action().wire()
            + (e.by() == null ? "" : " by " + e.by()));
      }
    }
    throw new IllegalArgumentException("no call is waiting for approval " + id + " (see `approvals`)");
  }

  private Budget find(String name) {
    for (Budget b : policy.budgets()) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    return null;
  }

  private static boolean persistent(Budget b) {
    return b.scope() == BudgetScope.DAY || b.scope() == BudgetScope.MONTH || b.scope() == BudgetScope.TOTAL;
  }

  private static String scope(Budget b) {
    return b.scope().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
  }

  /**
   * One budget instance as {@code status} shows it.
   *
   * @param capNanos  its USD limit with overrides and approvals (negative: none)
   * @param capTokens its token limit likewise
   */
  public record Instance(Budget budget, String partition, String period, long spentNanos, long reservedNanos,
      long spentTokens, long capNanos, long capTokens) {}
}
