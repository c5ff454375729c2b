package dev.tollgate.policy.store;

import dev.tollgate.policy.RedisSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Budgets and limits shared by every JVM that names the same Redis (6.2+ or Valkey) and key prefix.
 *
 * <h2>Keys</h2>
 * Every key starts with the hash tag {@code {<key_prefix>}}, so all of them (and so every key of one call) are in one
 * hash slot and each call's step works on Redis Cluster too. Per budget or limit instance ({@link Claim#key()}):
 * a hash (spent and reserved nano-USD and tokens, or calls; the fleet-wide "warned", "breached" and "exceeded"
 * flags), a sorted set of holds by expiry (or, for a windowed limit, of call times) and a hash of each hold's
 * amounts. Day and month instances expire a day after their period ends, session ones after
 * {@link #SESSION_IDLE} without use; total ones never.
 *
 * <h2>One round trip per step</h2>
 * {@link #reserve} is one Lua step ({@code ledger.lua}): it first drops holds past their expiry (server time), then checks every claim
 * and takes all or none. A hold is an expiring reservation: a JVM killed with calls in flight leaves holds that the
 * next call on the instance drops once {@code hold_ttl} has passed, so no phantom spend stays. {@link #settle} and
 * {@link #cancel} are one step each, idempotent through one done-marker per hold: a hold is settled or cancelled once. Amounts are exact 64-bit integers in Redis; comparisons in
 * the scripts use Lua numbers, exact below 2^53 nano-USD (9 million USD) per instance.
 *
 * <p>Every command fails after {@code timeout}; failures surface as {@link StoreUnavailableException}, whose messages
 * never carry the password.
 */
public final class RedisStore implements BudgetStore {
  /** How long a session instance lives without a call. */
  public static final Duration SESSION_IDLE = Duration.ofDays(7);
  /**
   * How long a settled or cancelled hold id is remembered (a settle repeated later than this would charge again, a
   * cancel give back again).
   */
  public static final Duration DONE_TTL = Duration.ofDays(1);

  private final RedisSettings settings;
  private final String tag;
  private final long holdTtlMillis;
  private final JedisPooled redis;
  private final String password;
  /** reserve, settle and cancel: one script, so that they share the code that returns a hold. */
  private final Script script = new Script("ledger.lua");

  /**
   * Connects lazily: no command is sent until the first call, so a Redis that is down at start does not stop the
   * JVM.
   *
   * @param password the password from {@code TOLLGATE_REDIS_PASSWORD}, or null to use the URL's
   */
  public RedisStore(RedisSettings settings, String password) {
    this.settings = settings;
    this.tag = "{" + settings.keyPrefix() + "}";
    this.holdTtlMillis = settings.holdTtl().toMillis();
    this.password = password != null && !password.isEmpty() ? password : settings.urlPassword();
    int timeout = (int) Math.max(1, settings.timeout().toMillis());
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(timeout).socketTimeoutMillis(timeout).blockingSocketTimeoutMillis(timeout)
        .database(settings.database()).ssl(settings.tls()).clientName("tollgate");
    if (this.password != null) {
      config.password(this.password);
      if (settings.user() != null) {
        config.user(settings.user());
      }
    }
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(16);
    pool.setMaxIdle(16);
    pool.setMinIdle(0);
    pool.setMaxWait(Duration.ofMillis(timeout));
    pool.setBlockWhenExhausted(true);
    pool.setTestOnBorrow(false);
    pool.setJmxEnabled(false); // never register MBeans in the host's server
    this.redis = new JedisPooled(new HostAndPort(settings.host(), settings.port()), config.build(), pool);
  }

  public RedisSettings settings() {
    return settings;
  }

  /** Sends PING; throws {@link StoreUnavailableException} when Redis cannot be reached in time. */
  public void ping() {
    call(() -> redis.ping());
  }

  @Override
  public Grant reserve(String holdId, List<Claim> claims, long nowMillis) {
    List<String> keys = new ArrayList<>(claims.size() * 3);
    List<String> args = new ArrayList<>(4 + claims.size() * 10);
    args.add("reserve");
    args.add(holdId == null ? "" : holdId);
    args.add(Integer.toString(claims.size()));
    args.add(Long.toString(holdTtlMillis));
    for (Claim c : claims) {
      if (c.ephemeral()) {
        throw new IllegalArgumentException("an ephemeral claim never reaches a shared store: " + c.name());
      }
      addKeys(keys, c);
      args.add(c.kind() == Claim.Kind.BUDGET ? "b" : "c");
      args.add(Long.toString(c.nanos()));
      args.add(Long.toString(c.tokens()));
      args.add(Long.toString(c.capNanos()));
      args.add(Long.toString(c.capTokens()));
      args.add(Long.toString(c.capCalls()));
      args.add(Long.toString(c.windowMillis()));
      args.add(c.enforcing() ? "1" : "0");
      args.add(Long.toString(c.expiresAtMillis()));
      args.add(Long.toString(idleMillis(c)));
    }
    List<?> reply = (List<?>) call(() -> script.run(keys, args));
    List<Seen> seen = new ArrayList<>(claims.size());
    for (int i = 0; i < claims.size(); i++) {
      int o = 1 + i * 8;
      seen.add(new Seen(num(reply, o), num(reply, o + 1), num(reply, o + 2), num(reply, o + 3), num(reply, o + 4),
          num(reply, o + 5) == 1, num(reply, o + 6) == 1, num(reply, o + 7) == 1));
    }
    return new Grant(num(reply, 0) == 1, seen, null);
  }

  @Override
  public List<Settled> settle(String holdId, List<Claim> claims, long nanos, long tokens, long nowMillis) {
    List<Claim> budgets = claims.stream().filter(c -> c.kind() == Claim.Kind.BUDGET).toList();
    List<String> keys = new ArrayList<>(1 + budgets.size() * 3);
    keys.add(tag + "done\u001f" + holdId);
    List<String> args = new ArrayList<>();
    args.add("settle");
    args.add(holdId);
    args.add(Integer.toString(budgets.size()));
    args.add(Long.toString(nanos));
    args.add(Long.toString(tokens));
    args.add(Long.toString(DONE_TTL.toMillis()));
    for (Claim c : budgets) {
      addKeys(keys, c);
      args.add(Long.toString(c.capNanos()));
      args.add(Long.toString(c.capTokens()));
      args.add(Long.toString(c.expiresAtMillis()));
      args.add(Long.toString(idleMillis(c)));
      int m = Math.max(c.warnNanos().length, c.warnTokens().length);
      args.add(Integer.toString(m));
      for (int f = 0; f < m; f++) {
        args.add(Long.toString(f < c.warnNanos().length ? c.warnNanos()[f] : Long.MAX_VALUE));
      }
      for (int f = 0; f < m; f++) {
        args.add(Long.toString(f < c.warnTokens().length ? c.warnTokens()[f] : Long.MAX_VALUE));
      }
    }
    List<?> reply = (List<?>) call(() -> script.run(keys, args));
    if (num(reply, 0) == -1) {
      return null;
    }
    List<Settled> result = new ArrayList<>(claims.size());
    int o = 1;
    for (Claim c : claims) {
      if (c.kind() != Claim.Kind.BUDGET) {
        result.add(null);
        continue;
      }
      int crossedCount = (int) num(reply, o + 6);
      List<Integer> crossed = new ArrayList<>(crossedCount);
      for (int f = 0; f < crossedCount; f++) {
        crossed.add((int) num(reply, o + 7 + f));
      }
      result.add(new Settled(num(reply, o), num(reply, o + 1), num(reply, o + 2), num(reply, o + 3), crossed,
          num(reply, o + 4) == 1, num(reply, o + 5) == 1));
      o += 7 + crossedCount;
    }
    return result;
  }

  @Override
  public void cancel(String holdId, List<Claim> claims, long nowMillis) {
    List<String> keys = new ArrayList<>(1 + claims.size() * 3);
    keys.add(tag + "done\u001f" + holdId);
    List<String> args = new ArrayList<>();
    args.add("cancel");
    args.add(holdId);
    args.add(Integer.toString(claims.size()));
    args.add(Long.toString(DONE_TTL.toMillis()));
    for (Claim c : claims) {
      addKeys(keys, c);
      args.add(c.kind() == Claim.Kind.BUDGET ? "b" : "c");
      args.add(Long.toString(c.windowMillis()));
    }
    call(() -> script.run(keys, args));
  }

  /** Holds expire on the server: the next call on an instance drops those past their expiry. */
  @Override
  public int expire(long nowMillis) {
    return 0;
  }

  /** Run instances never live in Redis. */
  @Override
  public void endRun(String runId) {}

  /** Every instance under the key prefix (a SCAN: for status and start-up reports, not for the call path). */
  @Override
  public List<KeyState> states() {
    List<KeyState> states = new ArrayList<>();
    call(() -> {
      String cursor = ScanParams.SCAN_POINTER_START;
      ScanParams params = new ScanParams().match(escapeGlob(tag) + "[bc]\u001f*").count(1000);
      do {
        ScanResult<String> page = redis.scan(cursor, params);
        for (String key : page.getResult()) {
          KeyState s = state(key);
          if (s != null) {
            states.add(s);
          }
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
      return null;
    });
    return states;
  }

  /**
   * One atomic step per matching instance: spend (or calls) back to zero and the fleet's warned/breached/exceeded
   * marks cleared, reservations in flight kept; returns what each held.
   */
  @Override
  public List<KeyState> reset(Claim.Kind kind, String name, String partition, String period) {
    List<KeyState> before = new ArrayList<>();
    for (KeyState s : states()) {
      if (s.kind() == kind && s.name().equals(name) && (partition == null || partition.equals(s.partition()))
          && (period == null || period.equals(s.period()))) {
        String key = tag + new Claim(kind, s.name(), s.scope(), s.period(), s.partition(), s.detail(), null, false,
            false, 0, 0, -1, -1, -1, -1, false, null, null, -1).key();
        call(() -> redis.eval(RESET_SCRIPT, List.of(key, key + "\u001fh"),
            List.of(kind == Claim.Kind.BUDGET ? "b" : "c")));
        before.add(s);
      }
    }
    return before;
  }

  /**
   * The fleet's audit journal: the list {@code {<key_prefix>}audit}, appended with a compare-and-append on its length
   * (one step on the server), so every JVM and operator sees one chain.
   */
  public AuditJournal journal(dev.tollgate.policy.budget.LedgerKey key) {
    String list = tag + "audit";
    return new AuditJournal(key) {
      @Override
      public String where() {
        return "redis " + settings.redactedUrl() + " " + list;
      }

      @Override
      protected List<String> lines(long from) {
        return call(() -> redis.lrange(list, from, -1));
      }

      @Override
      protected boolean appendIfCount(long count, String line) {
        Object r = call(() -> redis.eval(APPEND_SCRIPT, List.of(list), List.of(Long.toString(count), line)));
        return r instanceof Long n && n > 0;
      }
    };
  }

  private static final String APPEND_SCRIPT = "if redis.call('LLEN', KEYS[1]) == tonumber(ARGV[1]) then "
      + "return redis.call('RPUSH', KEYS[1], ARGV[2]) end return -1";

  /** Spend or calls to zero, marks cleared; a count's call times (its windowed zset) dropped too. */
  private static final String RESET_SCRIPT = "redis.call('HSET', KEYS[1], 'sn', 0, 'st', 0, 'c', 0) "
      + "redis.call('HDEL', KEYS[1], 'w', 'b', 'x') "
      + "if ARGV[1] == 'c' then redis.call('DEL', KEYS[2]) end return 1";

  private KeyState state(String key) {
    Claim c = Claim.fromKey(key.substring(tag.length()));
    if (c == null) {
      return null; // a hold set or amounts hash, or a key written before values were escaped
    }
    List<String> v = redis.hmget(key, "sn", "rn", "st", "rt", "c");
    return new KeyState(c.kind(), c.name(), c.scope(), c.period(), c.partition(), c.detail(), parse(v.get(0)),
        parse(v.get(1)), parse(v.get(2)), parse(v.get(3)), parse(v.get(4)));
  }

  private static long parse(String s) {
    return s == null ? 0 : Long.parseLong(s);
  }

  private static String escapeGlob(String s) {
    return s.replaceAll("([\\\\*?\\[\\]])", "\\\\$1");
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public void close() {
    redis.close();
  }

  private void addKeys(List<String> keys, Claim c) {
    String k = tag + c.key();
    keys.add(k);
    keys.add(k + "\u001fh");
    keys.add(k + "\u001fa");
  }

  private static long idleMillis(Claim c) {
    return c.scope().equals("session") ? SESSION_IDLE.toMillis() : -1;
  }

  private static long num(List<?> reply, int index) {
    Object o = reply.get(index);
    return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
  }

  /** Runs one Redis step, turning every client failure into a {@link StoreUnavailableException} without secrets. */
  private <T> T call(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      throw new StoreUnavailableException(describe(e), null);
    }
  }

  /** What went wrong, in words safe to log: the exception's class and message with the password removed. */
  String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null && b.length() < 400; t = t.getCause()) {
      if (b.length() > 0) {
        b.append(": ");
      }
      String message = t.getMessage();
      b.append(t.getClass().getSimpleName());
      if (message != null) {
        b.append(' ').append(password == null || password.isEmpty() ? message : message.replace(password, "***"));
      }
    }
    return "Redis at " + settings.redactedUrl() + " did not answer: " + b;
  }

  /** A Lua script run by its SHA, loaded again when the server does not know it (after a restart or flush). */
  private final class Script {
    private final String source;
    private volatile String sha;

    Script(String resource) {
      try (InputStream in = RedisStore.class.getResourceAsStream("/dev/tollgate/policy/store/" + resource)) {
        if (in == null) {
          throw new IllegalStateException("missing script " + resource);
        }
        this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read script " + resource, e);
      }
    }

    Object run(List<String> keys, List<String> args) {
      String known = sha;
      if (known != null) {
        try {
          return redis.evalsha(known, keys, args);
        } catch (JedisNoScriptException e) {
          // the server forgot it (restart, SCRIPT FLUSH): load it again below
        }
      }
      Object result = redis.eval(source, keys, args);
      try {
        sha = redis.scriptLoad(source, keys.isEmpty() ? tag : keys.get(0));
      } catch (JedisDataException e) {
        sha = null;
      }
      return result;
    }
  }
}
