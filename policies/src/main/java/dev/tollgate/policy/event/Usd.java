package dev.tollgate.policy.event;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money as the log writes it (USD numbers) and as Tollgate counts it (nano-dollars, exact). */
public final class Usd {
  private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

  private Usd() {}

  /**
   * Nano-USD as a USD number: the double nearest the exact quotient. Below 2^53 both operands are exact doubles and
   * IEEE division rounds correctly, so this is the exact decimal quotient rounded once, without BigDecimal's long
   * division on every call.
   */
  public static double of(long nanos) {
    if (Math.abs(nanos) < (1L << 53)) {
      return nanos / 1e9;
    }
    return BigDecimal.valueOf(nanos).divide(NANOS_PER_USD).doubleValue();
  }

  /**
   * A USD number read back from the log as nano-dollars. The writer prints the shortest decimal that reads back as its
   * double; a double holds any 15 significant digits exactly, so every amount under 10^15 nano-dollars (a million
   * dollars per line) reads back to the nano-dollar.
   */
  public static long nanos(BigDecimal usd) {
    return usd.movePointRight(9).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
  }

  /** A USD amount given on a command line ({@code 2.5}), as nano-dollars; more than 9 decimals is an error. */
  public static long parse(String text) {
    BigDecimal d = new BigDecimal(text.trim());
    if (d.scale() > 9 && d.stripTrailingZeros().scale() > 9) {
      throw new NumberFormatException("more than 9 decimals: " + text);
    }
    return d.movePointRight(9).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }
}
