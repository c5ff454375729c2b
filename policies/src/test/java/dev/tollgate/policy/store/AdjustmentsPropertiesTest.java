package dev.tollgate.policy.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.policy.event.AuditEvent;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Overrides and approvals raise a budget's limit exactly, for the instances they name, while they are in force. */
class AdjustmentsPropertiesTest {
  private static AuditEvent raise(String partition, long add, Instant until) {
    return new AuditEvent(AuditEvent.Action.OVERRIDE, "id", Instant.EPOCH, "daily", "budget", "day", partition, null,
        "op", "why", null, null, add, null, null, until, null, null, null, null, null);
  }

  @Property
  void theLimitIsTheBasePlusEveryAdditionInForceForThatInstance(
      @ForAll @LongRange(min = 1, max = 1_000_000_000_000L) long base,
      @ForAll @Size(max = 12) List<@LongRange(min = 1, max = 1_000_000_000_000L) Long> adds,
      @ForAll @LongRange(min = 0, max = 100) long nowSeconds) {
    Adjustments a = new Adjustments();
    long expectedA = base;
    long expectedB = base;
    for (int i = 0; i < adds.size(); i++) {
      Instant until = i % 3 == 0 ? null : Instant.ofEpochSecond(i * 10L);
      String partition = i % 2 == 0 ? null : "tenant-a";
      a.add(raise(partition, adds.get(i), until));
      boolean inForce = until == null || nowSeconds * 1000 < until.toEpochMilli();
      if (inForce) {
        expectedA += adds.get(i);
        expectedB += partition == null ? adds.get(i) : 0;
      }
    }
    long now = nowSeconds * 1000;
    assertEquals(expectedA, a.capNanos("daily", "tenant-a", "2026-12-04", base, now));
    assertEquals(expectedB, a.capNanos("daily", "tenant-b", "2026-12-04", base, now));
    assertEquals(base, a.capNanos("other", "tenant-a", "2026-12-04", base, now), "another budget is untouched");
    assertEquals(-1, a.capNanos("daily", "tenant-a", "2026-12-04", -1, now), "no USD cap: nothing to raise");
  }

  @Property
  void aSetReplacesTheBaseAndWhatWasAddedBeforeIt(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long base,
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long before,
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long set,
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long after) {
    Adjustments a = new Adjustments();
    a.add(raise(null, before, null));
    a.add(new AuditEvent(AuditEvent.Action.OVERRIDE, "s", Instant.EPOCH, "daily", "budget", "day", null, null, "op",
        "why", null, null, null, set, null, null, null, null, null, null, null));
    a.add(raise(null, after, null));
    assertEquals(set + after, a.capNanos("daily", null, "2026-12-04", base, 0));
  }
}
