package dev.tollgate.policy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A number as a policy file writes it ({@code max_usd: 0.50}, {@code warn_at: [0.8]}, a price, a bound), exact, and
 * read the way {@link BigDecimal#BigDecimal(String)} reads it: the same texts are numbers, with the same values.
 *
 * <p>Why not {@code BigDecimal} itself: policies are read in {@code premain}, before the app's {@code main}, and on
 * JDK 25 the first use of {@code BigDecimal} initialises the class, which computes 5^(2^16) by repeated squaring: 22-26
 * ms of CPU on a 2-core machine, and ~30 ms more of the JIT's time compiling {@code BigInteger}'s arithmetic it made
 * hot (JDK 17: under 1 ms). So the forms a policy writes (up to 18 ASCII digits, a sign, a point) are held as a long
 * and a scale; any other text (an exponent, more digits, digits of other scripts) goes to {@code BigDecimal}, and
 * pays for it only then. A jqwik property checks every operation against {@code BigDecimal}'s.
 */
final class PolicyNumber implements Comparable<PolicyNumber> {
  /** Most digits held in a long ({@code 10^18 - 1 < 2^63}). */
  private static final int MAX_SMALL_DIGITS = 18;
  private static final long[] TEN_POWERS = new long[MAX_SMALL_DIGITS + 1];
  /** Largest scale (either sign) written out in full by {@link #toPlainString}. */
  static final int MAX_PLAIN_SCALE = 1000;

  static {
    TEN_POWERS[0] = 1;
    for (int i = 1; i < TEN_POWERS.length; i++) {
      TEN_POWERS[i] = TEN_POWERS[i - 1] * 10;
    }
  }

  /** The value is {@code unscaled} * 10^-{@code scale} when {@link #big} is null. */
  private final long unscaled;
  private final int scale;
  private final BigDecimal big;

  private PolicyNumber(long unscaled, int scale, BigDecimal big) {
    this.unscaled = unscaled;
    this.scale = scale;
    this.big = big;
  }

  /** A whole number. */
  static PolicyNumber of(long value) {
    return new PolicyNumber(value, 0, null);
  }

  /** The number this text is, as {@code new BigDecimal(text)} reads it; null where that throws. */
  static PolicyNumber parse(String text) {
    PolicyNumber small = parseSmall(text);
    if (small != null) {
      return small;
    }
    try {
      return new PolicyNumber(0, 0, new BigDecimal(text));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code [+-]? digits? ('.' digits?)?}, ASCII digits, 1 to 18 of them; null for any other text. */
  private static PolicyNumber parseSmall(String text) {
    int n = text.length();
    int i = 0;
    boolean negative = false;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      negative = text.charAt(i) == '-';
      i++;
    }
    long value = 0;
    int digits = 0;
    int scale = 0;
    boolean point = false;
    for (; i < n; i++) {
      char c = text.charAt(i);
      if (c == '.' && !point) {
        point = true;
      } else if (c >= '0' && c <= '9') {
        if (++digits > MAX_SMALL_DIGITS) {
          return null;
        }
        value = value * 10 + (c - '0');
        if (point) {
          scale++;
        }
      } else {
        return null;
      }
    }
    return digits == 0 ? null : new PolicyNumber(negative ? -value : value, scale, null);
  }

  int signum() {
    return big != null ? big.signum() : Long.signum(unscaled);
  }

  @Override
  public int compareTo(PolicyNumber other) {
    if (big != null || other.big != null) {
      return toBigDecimal().compareTo(other.toBigDecimal());
    }
    if (scale == other.scale) {
      return Long.compare(unscaled, other.unscaled);
    }
    // at most 19 digits each (of() takes any long) and scales of at most 18: aligned, under 2^128 in a BigInteger
    int common = Math.max(scale, other.scale);
    return aligned(unscaled, common - scale).compareTo(aligned(other.unscaled, common - other.scale));
  }

  private static BigInteger aligned(long unscaled, int shift) {
    return BigInteger.valueOf(unscaled).multiply(BigInteger.valueOf(TEN_POWERS[shift]));
  }

  /**
   * The value in billionths (nano-dollars for an amount in USD), the rest truncated toward zero; an
   * {@link ArithmeticException} when that is no long.
   */
  long billionthsDown() {
    if (big != null) {
      // BigDecimal would build 10^(exponent) first; an exponent near 2^31 ("1e-2000000000") takes minutes
      long exponent = (long) big.precision() - big.scale() - 1; // the value is d.ddd × 10^exponent
      if (big.signum() == 0 || exponent < -10) {
        return 0;
      }
      if (exponent > 19) {
        throw new ArithmeticException("Overflow");
      }
      return big.movePointRight(9).setScale(0, RoundingMode.DOWN).longValueExact();
    }
    return scale <= 9 ? Math.multiplyExact(unscaled, TEN_POWERS[9 - scale]) : unscaled / TEN_POWERS[scale - 9];
  }

  /** The double nearest the value. */
  double doubleValue() {
    return big != null ? big.doubleValue() : Double.parseDouble(toPlainString());
  }

  /**
   * The value written without an exponent, keeping its scale ({@code 0.50}), as {@link BigDecimal} writes it; with an
   * exponent ({@code 1E-2000000000}) when that would take more than {@value #MAX_PLAIN_SCALE} zeros.
   */
  String toPlainString() {
    if (big != null) {
      return Math.abs((long) big.scale()) > MAX_PLAIN_SCALE ? big.toString() : big.toPlainString();
    }
    String digits = Long.toString(Math.abs(unscaled)); // |unscaled| < 10^18: no overflow
    String sign = unscaled < 0 ? "-" : "";
    if (scale == 0) {
      return sign + digits;
    }
    if (digits.length() <= scale) {
      return sign + "0." + "0".repeat(scale - digits.length()) + digits;
    }
    return sign + digits.substring(0, digits.length() - scale) + "." + digits.substring(digits.length() - scale);
  }

  /** The same value as a {@link BigDecimal} (which initialises that class). */
  BigDecimal toBigDecimal() {
    return big != null ? big : BigDecimal.valueOf(unscaled, scale);
  }

  @Override
  public String toString() {
    return toPlainString();
  }
}
