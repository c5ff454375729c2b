package dev.tollgate.policy.store;

import java.util.Arrays;

/**
 * What one call asks of one budget or limit instance: a reservation of money and tokens against a budget's caps
 * ({@link Kind#BUDGET}), or one call against a limit's {@code max_calls} ({@link Kind#COUNT}, counted at once and
 * never settled). A store takes every claim of a call or, when an enforcing one has no room, none.
 *
 * @param kind        budget or count
 * @param name        the budget's or limit's name (for a loop guard, the limit's name)
 * @param scope       run, session, process, day, month or total
 * @param period      the scope instance: run id, session id, {@code process}, {@code 2026-12-04}, {@code 2026-12},
 *                    {@code total}
 * @param partition   {@code per} value ("" when the call lacks it), or null when not partitioned
 * @param detail      what else tells counters apart (the loop guard's call identity), or null
 * @param run         the run that owns this instance (forgotten when it ends), or null
 * @param ephemeral   true for an instance of one call (a call outside any run): checked against the caps, kept nowhere
 * @param persistent  true when a file store records it in the ledger (day, month, total budgets)
 * @param nanos       nano-USD to reserve (budgets)
 * @param tokens      tokens to reserve (budgets)
 * @param capNanos    {@code max_usd} in nano-USD, or -1
 * @param capTokens   {@code max_tokens}, or -1
 * @param capCalls    {@code max_calls} (counts)
 * @param windowMillis rolling window of a count, or -1
 * @param enforcing   true when no room refuses the whole call (block and halt rules in enforce mode); false when the
 *                    claim is taken whatever its room (warn rules, monitor mode) and only reported
 * @param warnNanos   spend at which each {@code warn_at} fraction is reached (budgets), ascending
 * @param warnTokens  tokens at which each {@code warn_at} fraction is reached (budgets)
 * @param expiresAtMillis when the instance can no longer be current (end of its day or month) plus a day of grace,
 *                    or -1 when it only expires for lack of use (sessions) or never (total)
 */
public record Claim(Kind kind, String name, String scope, String period, String partition, String detail, String run,
    boolean ephemeral, boolean persistent, long nanos, long tokens, long capNanos, long capTokens, long capCalls,
    long windowMillis, boolean enforcing, long[] warnNanos, long[] warnTokens, long expiresAtMillis) {

  public enum Kind { BUDGET, COUNT }

  private static final long[] NONE = new long[0];

  public Claim {
    warnNanos = warnNanos == null ? NONE : warnNanos;
    warnTokens = warnTokens == null ? NONE : warnTokens;
  }

  /** A reservation on a budget instance. */
  public static Claim budget(String name, String scope, String period, String partition, String run, boolean ephemeral,
      boolean persistent, long nanos, long tokens, long capNanos, long capTokens, boolean enforcing, long[] warnNanos,
      long[] warnTokens, long expiresAtMillis) {
    return new Claim(Kind.BUDGET, name, scope, period, partition, null, run, ephemeral, persistent, nanos, tokens,
        capNanos, capTokens, -1, -1, enforcing, warnNanos, warnTokens, expiresAtMillis);
  }

  /** One call on a limit instance. */
  public static Claim count(String name, String scope, String period, String partition, String detail, String run,
      boolean ephemeral, long capCalls, long windowMillis, boolean enforcing, long expiresAtMillis) {
    return new Claim(Kind.COUNT, name, scope, period, partition, detail, run, ephemeral, false, 0, 0, -1, -1, capCalls,
        windowMillis, enforcing, NONE, NONE, expiresAtMillis);
  }

  /** This claim, enforcing or not. */
  public Claim enforcing(boolean enforce) {
    return enforce == enforcing ? this : new Claim(kind, name, scope, period, partition, detail, run, ephemeral,
        persistent, nanos, tokens, capNanos, capTokens, capCalls, windowMillis, enforce, warnNanos, warnTokens,
        expiresAtMillis);
  }

  /**
   * The instance's identity inside a store: kind, name, scope, period, partition and detail, each field apart from the
   * next by U+001F. No field holds U+001F itself: inside a value U+001E is written U+001E {@code r} and U+001F is
   * written U+001E {@code u}, so a value the app or the model chooses (session and run ids, partitions, details) can
   * never move a field boundary, and two instances never share a key. A value without either character is written as
   * it is (keys persisted in Redis before this rule are unchanged). A partition is written {@code =} and its value
   * (nothing when not partitioned); an empty detail, which no escaped value spells, is U+001E {@code e} (nothing when
   * there is none).
   */
  public String key() {
    StringBuilder b = new StringBuilder(64).append(kind == Kind.BUDGET ? 'b' : 'c');
    escape(b.append(SEPARATOR), name);
    escape(b.append(SEPARATOR), scope);
    escape(b.append(SEPARATOR), period);
    b.append(SEPARATOR);
    if (partition != null) {
      escape(b.append('='), partition);
    }
    b.append(SEPARATOR);
    if (detail != null) {
      if (detail.isEmpty()) {
        b.append(EMPTY_DETAIL);
      } else {
        escape(b, detail);
      }
    }
    return b.toString();
  }

  /**
   * The instance a {@link #key()} names, as a claim of nothing (no run, no amounts, no caps), so that
   * {@code fromKey(k).key()} is {@code k}; null when {@code key} is no instance's key (a hold set's or amounts' key,
   * or text no version of {@link #key()} writes, such as a value that held U+001F before it was escaped).
   */
  static Claim fromKey(String key) {
    String[] f = key.split(String.valueOf(SEPARATOR), -1);
    if (f.length != 6 || !(f[0].equals("b") || f[0].equals("c"))) {
      return null;
    }
    String name = unescape(f[1]);
    String scope = unescape(f[2]);
    String period = unescape(f[3]);
    String partition = f[4].isEmpty() ? null : f[4].charAt(0) == '=' ? unescape(f[4].substring(1)) : null;
    String detail = f[5].isEmpty() ? null : f[5].equals(EMPTY_DETAIL) ? "" : unescape(f[5]);
    if (name == null || scope == null || period == null || (partition == null) != f[4].isEmpty()
        || (detail == null) != f[5].isEmpty()) {
      return null;
    }
    return new Claim(f[0].equals("b") ? Kind.BUDGET : Kind.COUNT, name, scope, period, partition, detail, null, false,
        false, 0, 0, -1, -1, -1, -1, false, null, null, -1);
  }

  private static final char SEPARATOR = '\u001f';
  private static final char ESCAPE = '\u001e';
  private static final String EMPTY_DETAIL = ESCAPE + "e";

  private static void escape(StringBuilder b, String value) {
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case ESCAPE -> b.append(ESCAPE).append('r');
        case SEPARATOR -> b.append(ESCAPE).append('u');
        default -> b.append(ch);
      }
    }
  }

  /** The value {@link #escape} wrote, or null when {@code field} is not such a value. */
  private static String unescape(String field) {
    int at = field.indexOf(ESCAPE);
    if (at < 0) {
      return field;
    }
    StringBuilder b = new StringBuilder(field.length()).append(field, 0, at);
    for (int i = at; i < field.length(); i++) {
      char ch = field.charAt(i);
      if (ch != ESCAPE) {
        b.append(ch);
      } else if (i + 1 < field.length() && (field.charAt(i + 1) == 'r' || field.charAt(i + 1) == 'u')) {
        b.append(field.charAt(++i) == 'r' ? ESCAPE : SEPARATOR);
      } else {
        return null;
      }
    }
    return b.toString();
  }

  /** True when a request of {@code requestNanos}/{@code requestTokens} on top of what is spent and reserved passes a cap. */
  public static boolean over(long spent, long reserved, long request, long cap) {
    return cap >= 0 && saturatedAdd(saturatedAdd(spent, reserved), request) > cap;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Claim c && kind == c.kind && key().equals(c.key()) && java.util.Objects.equals(run, c.run)
        && ephemeral == c.ephemeral && persistent == c.persistent && nanos == c.nanos && tokens == c.tokens
        && capNanos == c.capNanos && capTokens == c.capTokens && capCalls == c.capCalls
        && windowMillis == c.windowMillis && enforcing == c.enforcing && Arrays.equals(warnNanos, c.warnNanos)
        && Arrays.equals(warnTokens, c.warnTokens) && expiresAtMillis == c.expiresAtMillis;
  }

  @Override
  public int hashCode() {
    return key().hashCode();
  }
}
