package dev.tollgate.policy.args;

import dev.tollgate.policy.args.ShellCommand.Unsplittable;
import dev.tollgate.policy.args.ShellCommand.Word;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A program's options read the way glibc's {@code getopt_long} reads them, for the wrappers whose options decide where
 * the command they run begins: clusters ({@code -at 1}), a required value attached or in the next word ({@code -t1},
 * {@code -t 1}, {@code --target=1}, {@code --target 1}), an optional value only attached ({@code -mt} is {@code -m}
 * with the value {@code t}), unique abbreviations of long options ({@code --prop} for {@code --propagation}), and
 * {@code --}. With {@code permute} the options may stand anywhere among the operands, as GNU getopt allows unless the
 * option string starts with {@code +}.
 *
 * <p>Uninterpretable, because the words it would take from the command cannot be told: an option the program is not
 * known to take, an abbreviation that names options taking values differently, an option whose value form changed
 * between the program's releases given without an attached value, and a word from an expansion where an option
 * could stand.
 *
 * @param program the program's name, for messages
 * @param letters the short options in getopt's notation: a letter, then {@code :} for a required value or {@code ::}
 *     for an optional one; {@code ?} instead for a value some releases require and others take only attached
 * @param longs each long option's key and value form: its letter, or its own name when it has none ({@code ""}), then
 *     {@code :}, {@code ::} or {@code ?} as for {@code letters}; {@code "mount" -> "m::"}, {@code "propagation" -> ":"}
 * @param permute whether options may follow operands
 */
record Getopt(String program, String letters, Map<String, String> longs, boolean permute) {

  /** An option read, under its letter or (without one) its long name; the value null when it has none. */
  record Option(String key, Word value) {}

  /** The options read in order, and the operands in order ({@code --} not among them). */
  record Parsed(List<Option> options, List<Word> operands) {
    boolean has(String key) {
      return options.stream().anyMatch(o -> o.key().equals(key));
    }

    /** The values of the options under {@code keys}, in order. */
    List<Word> values(String... keys) {
      List<String> wanted = List.of(keys);
      return options.stream().filter(o -> wanted.contains(o.key())).map(Option::value).toList();
    }
  }

  Parsed read(List<Word> words, int from) throws Unsplittable {
    List<Option> options = new ArrayList<>();
    List<Word> operands = new ArrayList<>();
    int i = from;
    while (i < words.size()) {
      Word word = words.get(i);
      String w = word.text();
      notExpanded(word);
      if (w.equals("--")) {
        operands.addAll(words.subList(i + 1, words.size()));
        break;
      }
      if (!w.startsWith("-") || w.equals("-")) {
        if (!permute) {
          operands.addAll(words.subList(i, words.size()));
          break;
        }
        operands.add(word);
        i++;
        continue;
      }
      i = option(words, i, options);
    }
    return new Parsed(options, operands);
  }

  /** Uninterpretable when {@code word}, where an option could stand, comes from an expansion. */
  void notExpanded(Word word) throws Unsplittable {
    if (word.dynamic()) {
      throw new Unsplittable("it gives " + program + " a word from an expansion where an option could stand, so "
          + "where its command begins cannot be told");
    }
  }

  /**
   * The option word at {@code i} (one that begins with {@code -} and is neither {@code -} nor {@code --}) read into
   * {@code options}, with the value it takes from the next word: the index after them. For the programs that read
   * their options a word at a time with something else between them ({@code nice -5}, {@code sudo VAR=value}).
   */
  int option(List<Word> words, int i, List<Option> options) throws Unsplittable {
    return words.get(i).text().startsWith("--") ? longOption(words, i, options) : shortOptions(words, i, options);
  }

  private int longOption(List<Word> words, int i, List<Option> options) throws Unsplittable {
    String w = words.get(i).text();
    int eq = w.indexOf('=');
    String name = w.substring(2, eq < 0 ? w.length() : eq);
    String full = longs.containsKey(name) ? name : null;
    if (full == null) {
      // an abbreviation: getopt takes it when every option it begins is one option (the same key and form)
      for (String candidate : longs.keySet()) {
        if (candidate.startsWith(name)) {
          if (full != null && !(key(full).equals(key(candidate)) && form(full).equals(form(candidate)))) {
            throw new Unsplittable("it gives " + program + " the option --" + name + ", which abbreviates more than "
                + "one of its options");
          }
          full = full == null ? candidate : full;
        }
      }
    }
    if (full == null) {
      throw new Unsplittable("it gives " + program + " the option --" + name + ", which it is not known to take");
    }
    if (eq >= 0) {
      options.add(new Option(key(full), new Word(w.substring(eq + 1), false)));
      return i + 1;
    }
    return taking(form(full), key(full), "--" + full, words, i, options);
  }

  /** A long option's key: its letter, or its own name when it has none. */
  private String key(String longName) {
    String spec = longs.get(longName);
    return spec.isEmpty() || isForm(spec.charAt(0)) ? longName : spec.substring(0, 1);
  }

  private String form(String longName) {
    String spec = longs.get(longName);
    return spec.isEmpty() || isForm(spec.charAt(0)) ? spec : spec.substring(1);
  }

  private int shortOptions(List<Word> words, int i, List<Option> options) throws Unsplittable {
    String w = words.get(i).text();
    for (int k = 1; k < w.length(); k++) {
      char c = w.charAt(k);
      int at = c == ':' || c == '?' ? -1 : letters.indexOf(c);
      if (at < 0) {
        throw new Unsplittable("it gives " + program + " the option -" + c + ", which it is not known to take");
      }
      String form = letters.startsWith("::", at + 1) ? "::" : letters.startsWith(":", at + 1) ? ":"
          : letters.startsWith("?", at + 1) ? "?" : "";
      String key = String.valueOf(c);
      if (form.isEmpty()) {
        options.add(new Option(key, null));
      } else if (k + 1 < w.length()) {
        options.add(new Option(key, new Word(w.substring(k + 1), false))); // the rest of the cluster is the value
        return i + 1;
      } else {
        return taking(form, key, "-" + c, words, i, options);
      }
    }
    return i + 1;
  }

  /** An option without an attached value: the next word is its value when the value is required. */
  private int taking(String form, String key, String shown, List<Word> words, int i, List<Option> options)
      throws Unsplittable {
    switch (form) {
      case ":" -> {
        Word value = i + 1 < words.size() ? words.get(i + 1) : null;
        if (value != null && value.splits()) { // xargs -n $N ls, N='1 rm': xargs -n 1 rm ls
          throw new Unsplittable("its " + program + " option " + shown + " takes an unquoted expansion as its value, "
              + "which the shell may make several words of, so where its command begins cannot be told");
        }
        options.add(new Option(key, value));
        return i + 2;
      }
      case "?" -> throw new Unsplittable("its " + program + " option " + shown + " takes the next word as its value "
          + "in some releases and not in others");
      default -> {
        options.add(new Option(key, null));
        return i + 1;
      }
    }
  }

  private static boolean isForm(char c) {
    return c == ':' || c == '?';
  }
}
