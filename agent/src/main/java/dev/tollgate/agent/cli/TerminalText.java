package dev.tollgate.agent.cli;

/**
 * Text for an operator's terminal. Tool, model, run, session and partition names come from logs and stores a model
 * or an app wrote to; a control character in one (an ANSI or OSC escape, a carriage return, a C1 CSI) would make the
 * terminal clear, retitle or overwrite what it shows, and a bidi override or an invisible format character would make
 * a name read as another. Each such character is shown as its {@code \}u escape instead, so the operator reads what
 * was logged.
 */
public final class TerminalText {
  private TerminalText() {}

  /** {@code text} with every character a terminal would act on, rather than show, as {@code \}u and four hex digits. */
  public static String shown(String text) {
    if (text == null || text.codePoints().noneMatch(TerminalText::acted)) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(c -> {
      if (acted(c)) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04X", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.toString();
  }

  /** Table rows with every cell {@linkplain #shown(String) shown}. */
  public static java.util.List<String[]> shown(java.util.List<String[]> rows) {
    java.util.List<String[]> out = new java.util.ArrayList<>(rows.size());
    for (String[] r : rows) {
      out.add(java.util.Arrays.stream(r).map(TerminalText::shown).toArray(String[]::new));
    }
    return out;
  }

  /** C0 and C1 controls (the line feed too: a name is one line), bidi and other format characters, line separators. */
  private static boolean acted(int c) {
    return Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == '\u2028' || c == '\u2029';
  }
}
