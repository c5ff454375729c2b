package dev.tollgate.policy.event;

/**
 * The shared store (Redis) went away ({@code ledger.degraded}, once per outage), answers again
 * ({@code ledger.recovered}: the detail says how many settlements kept meanwhile were added to it), or could still not
 * take what was kept at shutdown ({@code ledger.unreplayed}). The Redis URL is written with its password as
 * {@code ***}.
 */
public record LedgerNews(Kind kind, String store, String redis, String onUnavailable, String detail)
    implements LogEvent {

  /** What happened to the shared store. */
  public enum Kind {
    DEGRADED, RECOVERED, UNREPLAYED;

    public String eventName() {
      return "ledger." + LogEvent.wire(this);
    }
  }

  @Override
  public String name() {
    return kind.eventName();
  }

  @Override
  public void write(Fields out) {
    out.put("store", store).put("redis", redis).put("on_unavailable", onUnavailable).put("detail", detail);
  }

  static LedgerNews read(Line l) {
    Kind kind = Kind.valueOf(l.event().substring("ledger.".length()).toUpperCase(java.util.Locale.ROOT));
    return new LedgerNews(kind, l.text("store"), l.text("redis"), l.text("on_unavailable"), l.text("detail"));
  }
}
