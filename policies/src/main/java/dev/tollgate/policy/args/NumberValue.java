package dev.tollgate.policy.args;

import java.math.BigDecimal;

/**
 * The number a framework passes to a numeric tool parameter: a JSON number, or a string holding one (LangChain4j,
 * Spring AI and Jackson coerce {@code "1000"}, {@code " 1000"}, {@code "1e3"} to 1000), exponents included.
 * Uninterpretable: anything else ({@code "1,000"}, {@code "0x3e8"}, {@code "NaN"}, {@code "Infinity"},
 * {@code "1_000"}, {@code true}, objects), and exponents beyond {@link #MAX_EXPONENT} (no real amount has them).
 */
public final class NumberValue {
  static final int MAX_LENGTH = 200;
  static final int MAX_EXPONENT = 10_000;

  private NumberValue() {}

  public sealed interface Result permits Read, Problem {}

  public record Read(BigDecimal number) implements Result {}

  public record Problem(String why) implements Result {}

  public static Result of(ArgumentValue value) {
    if (value.kind() != ArgumentValue.Kind.NUMBER && value.kind() != ArgumentValue.Kind.STRING) {
      return new Problem("it is " + value.described() + ", not a number");
    }
    String text = value.text().strip();
    if (text.isEmpty() || text.length() > MAX_LENGTH) {
      return new Problem(text.isEmpty() ? "it is empty" : "it is longer than " + MAX_LENGTH + " characters");
    }
    if (!isDecimal(text)) {
      return new Problem("\"" + text + "\" is not a decimal number");
    }
    try {
      BigDecimal n = new BigDecimal(text.startsWith("+") ? text.substring(1) : text);
      if (Math.abs((long) n.scale()) > MAX_EXPONENT) {
        return new Problem("its exponent is beyond " + MAX_EXPONENT);
      }
      return new Read(n);
    } catch (NumberFormatException | ArithmeticException e) {
      return new Problem("\"" + text + "\" is not a decimal number");
    }
  }

  /** {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}, ASCII digits only. */
  private static boolean isDecimal(String s) {
    int i = 0;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < s.length() && isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < s.length() && s.charAt(i) == '.') {
      i++;
      while (i < s.length() && isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exp = 0;
      while (i < s.length() && isDigit(s.charAt(i))) {
        i++;
        exp++;
      }
      if (exp == 0) {
        return false;
      }
    }
    return i == s.length();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
