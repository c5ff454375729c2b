package dev.tollgate.policy.engine;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The canonical text of a call's arguments that {@code max_identical} counts on, so that spellings a framework
 * hands the tool as the same value count as the same call: object keys sorted (at every depth), strings and keys
 * NFC-normalised, numbers normalised ({@code 1}, {@code 1.0}, {@code 1e0}, {@code 10e-1} are one number) and
 * strings that hold exactly a number counted as that number ({@code "1"}: frameworks coerce it for a numeric
 * parameter). Distinct values stay distinct: a lone surrogate is written as its own escape (never replaced by
 * {@code ?} as UTF-8 encoding would, which made every lone surrogate collide), and every string is quoted and
 * escaped, so no string can spell a number or another structure.
 */
final class LoopGuardKey {
  private LoopGuardKey() {}

  /** The canonical text of an argument value (a map, list, String or {@link Arguments.Literal}). */
  static String of(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  /** A tool name or other text, NFC-normalised and escaped like a string value. */
  static String text(String s) {
    StringBuilder out = new StringBuilder();
    string(out, s);
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static void write(StringBuilder out, Object value) {
    if (value instanceof String s) {
      BigDecimal n = NumberText.parse(s.strip());
      if (n != null) {
        number(out, n);
      } else {
        string(out, s);
      }
    } else if (value instanceof Arguments.Literal l) {
      String json = l.json();
      char first = json.charAt(0);
      if (first == 't' || first == 'f' || first == 'n') {
        out.append(json);
      } else {
        number(out, new BigDecimal(json));
      }
    } else if (value instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, list.get(i));
      }
      out.append(']');
    } else {
      Map<String, Object> map = (Map<String, Object>) value;
      List<String[]> keys = new ArrayList<>(map.size());
      for (String key : map.keySet()) {
        keys.add(new String[] {text(key), key});
      }
      // by canonical key; keys equal after NFC (the JSON had both) by their original text, so the order is fixed
      keys.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
      out.append('{');
      for (int i = 0; i < keys.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(keys.get(i)[0]).append(':');
        write(out, map.get(keys.get(i)[1]));
      }
      out.append('}');
    }
  }

  private static void number(StringBuilder out, BigDecimal n) {
    if (n.signum() == 0) {
      out.append("0");
      return;
    }
    BigDecimal stripped = n.stripTrailingZeros();
    out.append(stripped.unscaledValue()).append('e').append(-(long) stripped.scale());
  }

  private static void string(StringBuilder out, String s) {
    String nfc = hasLoneSurrogate(s) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
    out.append('"');
    for (int i = 0; i < nfc.length(); i++) {
      char c = nfc.charAt(i);
      boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < nfc.length()
          && Character.isLowSurrogate(nfc.charAt(i + 1));
      if (pairedHigh) {
        out.append(c).append(nfc.charAt(++i));
      } else if (Character.isSurrogate(c) || c < 0x20 || c == '"' || c == '\\') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
  }

  /**
   * True when {@code s} has a surrogate without its pair. Such text is kept as is, not normalised: the JDK's
   * normaliser may treat lone surrogates loosely, and two different values must never meet.
   */
  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Strict JSON number text, as a BigDecimal with a bounded exponent; null otherwise. */
  static final class NumberText {
    private static final java.util.regex.Pattern JSON_NUMBER =
        java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private NumberText() {}

    static BigDecimal parse(String s) {
      if (s.isEmpty() || s.length() > 400 || !JSON_NUMBER.matcher(s).matches()) {
        return null;
      }
      try {
        return new BigDecimal(s);
      } catch (NumberFormatException e) {
        return null; // an exponent beyond int
      }
    }
  }
}
