package dev.tollgate.policy.args;

import java.util.List;

/**
 * One argument of a tool call as a matcher sees it: its JSON kind and its text (a string as-is, a number, boolean
 * or null as its JSON text, an object or array as compact JSON).
 *
 * @param kind    what the model sent
 * @param text    the value as text
 * @param strings the items when the value is an array of strings only (an argv), else null
 */
public record ArgumentValue(Kind kind, String text, List<String> strings) {
  public enum Kind { STRING, NUMBER, BOOLEAN, NULL, OBJECT, ARRAY }

  public ArgumentValue {
    strings = strings == null ? null : List.copyOf(strings);
  }

  public static ArgumentValue string(String text) {
    return new ArgumentValue(Kind.STRING, text, null);
  }

  /** How the value is described in readings: {@code a string}, {@code a number}, ... */
  String described() {
    return switch (kind) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case OBJECT -> "an object";
      case ARRAY -> "an array";
    };
  }
}
