package dev.tollgate.policy.args;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A command argument split the way a POSIX shell would run it, into the simple commands it runs: segments
 * separated by {@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &}, newlines and parentheses; the commands
 * inside {@code $(...)}, backticks and {@code <(...)}; the script of {@code sh|bash|zsh|dash|ksh -c} whatever its
 * other flags ({@code -o} and {@code -O} take the next word, in a cluster too); the text of {@code eval}; and the
 * command behind the wrappers {@code env} (its variables, and the words of {@code -S} read again as its options),
 * {@code sudo} (its variables, and {@code -h HOST}), {@code doas}, {@code command}, {@code exec}, {@code builtin},
 * {@code nohup}, {@code time}, {@code nice} ({@code -5} too), {@code timeout}, {@code stdbuf}, {@code chroot},
 * {@code ionice}, {@code taskset}, {@code setsid}, {@code xargs}, {@code !} and {@code {}; the command after a
 * reserved word ({@code if}, {@code then}, {@code else}, {@code elif}, {@code while}, {@code until}, {@code do},
 * {@code coproc}) and the body of {@code function NAME}; the script {@code watch} and {@code flock FILE -c} run
 * through {@code sh -c}; the commands of
 * {@code find -exec}/{@code -execdir}/{@code -ok}; the command of {@code su} and {@code runuser} ({@code -c}, the
 * {@code -s} program, {@code runuser -u USER COMMAND}), of {@code script} ({@code -c} and after {@code --}), and after
 * the options of {@code unshare} and {@code nsenter} and the priority of {@code chrt}. A wrapper's options are read
 * as its getopt reads them ({@link Getopt}, {@link WrapperOptions}): abbreviations, clusters, attached and optional
 * values. The words {@code xargs} adds from its input and those {@code find -exec} and {@code xargs -I} fill in with
 * {@code {}} are expanded words. Quotes and backslashes are
 * removed, a leading {@code VAR=value} is dropped, and a program given by path ({@code /usr/bin/rm}) is named by
 * its last segment. Each wrapper is a command of its own as well ({@code sudo rm} runs {@code sudo} and
 * {@code rm}).
 *
 * <p>Uninterpretable: unbalanced quotes or substitutions, a here-document, a program name that comes from an
 * expansion ({@code $CMD}, {@code $(echo rm)}, the brace expansion {@code r{m,}}, {@code find -exec {}}) or is a
 * glob, an option of a wrapper that cannot be read (one it is not known to take, an ambiguous abbreviation, an
 * expanded word where an option could stand: see {@link Getopt}), NUL, nesting deeper
 * than {@link #MAX_DEPTH}, more than {@link #MAX_COMMANDS} commands, text longer than {@link #MAX_LENGTH}.
 *
 * @param commands every simple command the text runs, each as its words from the program on
 */
public record ShellCommand(List<List<Word>> commands) {
  public static final int MAX_LENGTH = 65_536;
  static final int MAX_DEPTH = 8;
  static final int MAX_COMMANDS = 1000;

  /**
   * One word after quote removal; {@code dynamic} when part of it comes from an expansion the shell performs;
   * {@code splits} when one of those expansions is unquoted (a parameter, command or brace expansion outside double
   * quotes), so the shell may make several words of it, or none.
   */
  public record Word(String text, boolean dynamic, boolean splits) {
    public Word(String text, boolean dynamic) {
      this(text, dynamic, false);
    }

    @Override
    public String toString() {
      return dynamic ? text + " (expanded by the shell)" : text;
    }
  }

  public sealed interface Result permits Read, Problem {}

  public record Read(ShellCommand command) implements Result {}

  public record Problem(String why) implements Result {}

  static final class Unsplittable extends Exception {
    Unsplittable(String why) {
      super(why, null, false, false);
    }
  }

  private static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "busybox");
  /**
   * Wrappers none of whose options takes a value, in any release (a word that begins with {@code -} is one of them,
   * or one they fail on): {@code command -p}, {@code nohup}, {@code setsid -w}, {@code unbuffer -p}.
   */
  private static final Set<String> PLAIN_WRAPPERS = Set.of("command", "builtin", "nohup", "!", "{", "noglob",
      "unbuffer", "setsid");
  /** nice's adjustment as an option of its own ({@code -5}, {@code --5}, {@code -+5}), read before getopt sees it. */
  private static final Pattern NICE_ADJUSTMENT = Pattern.compile("-[-+]?[0-9]");
  /** A number as strtol reads it (chrt's priority), and one that is zero (chrt's pid). */
  private static final Pattern INTEGER = Pattern.compile("[ \\t\\n\\x0B\\f\\r]*[+-]?[0-9]+");
  private static final Pattern ZERO = Pattern.compile("[ \\t\\n\\x0B\\f\\r]*[+-]?0+");
  /** Reserved words after which the shell reads a command ({@code if rm x; then ...}, {@code do rm x}). */
  private static final Set<String> RESERVED_WORDS = Set.of("if", "then", "else", "elif", "while", "until", "do",
      "coproc");

  public static Result of(String text) {
    if (text == null) {
      return new Problem("there is no command");
    }
    if (text.length() > MAX_LENGTH) {
      return new Problem("it is longer than " + MAX_LENGTH + " characters");
    }
    if (text.indexOf('\0') >= 0) {
      return new Problem("it contains a NUL character");
    }
    List<List<Word>> commands = new ArrayList<>();
    try {
      split(text, 0, commands);
    } catch (Unsplittable e) {
      return new Problem(e.getMessage());
    }
    return new Read(new ShellCommand(commands));
  }

  /** An argv (the array form some tools take): one command, no shell, wrappers still unwrapped. */
  public static Result ofArgv(List<String> argv) {
    List<Word> words = new ArrayList<>();
    for (String s : argv) {
      if (s.indexOf('\0') >= 0) {
        return new Problem("it contains a NUL character");
      }
      words.add(new Word(s, false));
    }
    List<List<Word>> commands = new ArrayList<>();
    try {
      unwrap(words, 0, commands);
    } catch (Unsplittable e) {
      return new Problem(e.getMessage());
    }
    return new Read(new ShellCommand(commands));
  }

  // ---- splitting -------------------------------------------------------------------------------------------

  private static void split(String s, int depth, List<List<Word>> commands) throws Unsplittable {
    if (depth > MAX_DEPTH) {
      throw new Unsplittable("it nests shells or substitutions more than " + MAX_DEPTH + " deep");
    }
    List<Word> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    boolean dynamic = false;
    boolean splits = false; // an unquoted expansion in this word: the shell may make several words of it
    boolean dropNext = false; // the word after a redirection operator is a file name, not an argument
    int brace = 0; // 1 after an unquoted { in this word, 2 after a , or .. that follows it: brace expansion
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> {
          if (i + 1 < s.length() && s.charAt(i + 1) == '\n') {
            i += 2;
            continue;
          }
          if (i + 1 < s.length()) {
            word.append(s.charAt(i + 1));
          }
          inWord = true;
          i += 2;
        }
        case '\'' -> {
          int close = s.indexOf('\'', i + 1);
          if (close < 0) {
            throw new Unsplittable("it has an unclosed single quote");
          }
          word.append(s, i + 1, close);
          inWord = true;
          i = close + 1;
        }
        case '"' -> {
          i++;
          boolean closed = false;
          while (i < s.length()) {
            char d = s.charAt(i);
            if (d == '"') {
              closed = true;
              i++;
              break;
            }
            if (d == '\\' && i + 1 < s.length()) {
              char e = s.charAt(i + 1);
              if (e == '$' || e == '`' || e == '"' || e == '\\') {
                word.append(e);
              } else if (e != '\n') {
                word.append(d).append(e);
              }
              i += 2;
            } else if (d == '`') {
              i = backtick(s, i, depth, commands);
              dynamic = true;
            } else if (d == '$') {
              int next = dollar(s, i, depth, commands);
              dynamic |= next > i + 1;
              if (next == i + 1) {
                word.append('$');
              }
              i = next;
            } else {
              word.append(d);
              i++;
            }
          }
          if (!closed) {
            throw new Unsplittable("it has an unclosed double quote");
          }
          inWord = true;
        }
        case '`' -> {
          i = backtick(s, i, depth, commands);
          dynamic = true;
          splits = true;
          inWord = true;
        }
        case '$' -> {
          if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
            // $'...' ANSI-C quoting: escapes could spell anything
            int close = s.indexOf('\'', i + 2);
            if (close < 0) {
              throw new Unsplittable("it has an unclosed $' quote");
            }
            word.append(s, i + 2, close);
            dynamic |= s.substring(i + 2, close).indexOf('\\') >= 0;
            inWord = true;
            i = close + 1;
            continue;
          }
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            // $"..." is translated by bash's locale catalogue ($"rm" runs rm), and is "$" then "..." in dash
            dynamic = true;
            inWord = true;
            i++;
            continue;
          }
          int next = dollar(s, i, depth, commands);
          if (next == i + 1) {
            word.append('$');
          } else {
            dynamic = true;
            splits = true;
          }
          inWord = true;
          i = next;
        }
        case ' ', '\t' -> {
          dropNext = endWord(words, word, inWord, dynamic, splits, dropNext);
          inWord = false;
          dynamic = false;
          splits = false;
          brace = 0;
          i++;
        }
        case '\n', ';', '&', '|', '(', ')' -> {
          if (c == '&' && i > 0 && (s.charAt(i - 1) == '>' || s.charAt(i - 1) == '<')) {
            i++; // >& and <& are redirections
            continue;
          }
          endWord(words, word, inWord, dynamic, splits, dropNext);
          dropNext = false;
          inWord = false;
          dynamic = false;
          splits = false;
          brace = 0;
          flush(words, depth, commands);
          words = new ArrayList<>();
          i++;
        }
        case '<', '>' -> {
          if (i + 1 < s.length() && s.charAt(i + 1) == '(') {
            int close = matching(s, i + 1);
            split(s.substring(i + 2, close), depth + 1, commands);
            word.append("<(...)");
            dynamic = true;
            inWord = true;
            i = close + 1;
            continue;
          }
          if (c == '<' && i + 1 < s.length() && s.charAt(i + 1) == '<') {
            if (i + 2 < s.length() && s.charAt(i + 2) == '<') {
              i += 3; // here-string: the next word is data
              endWord(words, word, inWord, dynamic, splits, false);
              inWord = false;
              dynamic = false;
              splits = false;
              brace = 0;
              dropNext = true;
              continue;
            }
            throw new Unsplittable("it has a here-document, whose text the shell may run");
          }
          // a redirection: a file-descriptor number before it is not a word; the next word is the file
          if (inWord && !dynamic && word.chars().allMatch(Character::isDigit)) {
            word.setLength(0);
            inWord = false;
          }
          endWord(words, word, inWord, dynamic, splits, dropNext);
          inWord = false;
          dynamic = false;
          splits = false;
          brace = 0;
          dropNext = true;
          i++;
          while (i < s.length() && (s.charAt(i) == '>' || s.charAt(i) == '|')) {
            i++;
          }
        }
        case '#' -> {
          if (inWord) {
            word.append(c);
            i++;
          } else {
            int nl = s.indexOf('\n', i);
            i = nl < 0 ? s.length() : nl;
          }
        }
        default -> {
          if (c == '{') {
            brace = Math.max(brace, 1);
          } else if (brace > 0 && (c == ',' || c == '.' && i + 1 < s.length() && s.charAt(i + 1) == '.')) {
            brace = 2;
          } else if (c == '}' && brace == 2) {
            dynamic = true; // {rm,-rf,x}, r{m,}, {r..r}m: the shell makes other words of it
            splits = true;
          }
          word.append(c);
          inWord = true;
          i++;
        }
      }
    }
    endWord(words, word, inWord, dynamic, splits, dropNext);
    flush(words, depth, commands);
  }

  /** Ends the current word; returns the new "drop the next word" state. */
  private static boolean endWord(List<Word> words, StringBuilder word, boolean inWord, boolean dynamic,
      boolean splits, boolean dropNext) {
    if (!inWord) {
      return dropNext;
    }
    if (!dropNext) {
      words.add(new Word(word.toString(), dynamic, splits));
    }
    word.setLength(0);
    return false;
  }

  /** {@code $(...)}, {@code $((...))}, {@code ${...}}, {@code $NAME}, {@code $1}, {@code $?}: index after it. */
  private static int dollar(String s, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    if (i + 1 >= s.length()) {
      return i + 1;
    }
    char n = s.charAt(i + 1);
    if ((n == '(' || n == '{') && depth > MAX_DEPTH) {
      throw new Unsplittable("it nests shells or substitutions more than " + MAX_DEPTH + " deep");
    }
    if (n == '(') {
      int close = matching(s, i + 1);
      String inner = s.substring(i + 2, close);
      if (inner.startsWith("(") && inner.endsWith(")")) {
        substitutions(s, i + 3, close - 1, (char) 0, depth, commands); // arithmetic: $(( $(rm x) )) runs rm
        return close + 1;
      }
      split(inner, depth + 1, commands);
      return close + 1;
    }
    if (n == '{') {
      // the word of ${X:-word} is expanded in turn: ${X:-$(rm x)} runs rm
      int close = substitutions(s, i + 2, s.length(), '}', depth, commands);
      if (close < 0) {
        throw new Unsplittable("it has an unclosed ${");
      }
      return close + 1;
    }
    if (n == '_' || Character.isLetter(n)) {
      int j = i + 1;
      while (j < s.length() && (s.charAt(j) == '_' || Character.isLetterOrDigit(s.charAt(j)))) {
        j++;
      }
      return j;
    }
    if (Character.isDigit(n) || "?!#*@$-".indexOf(n) >= 0) {
      return i + 2;
    }
    return i + 1;
  }

  /**
   * The commands of the substitutions in {@code s} from {@code from}, up to {@code to} or the first {@code stop}
   * outside them (0: none; an arithmetic expression, the word of {@code ${X:-word}}): the index of that {@code stop},
   * or -1.
   */
  private static int substitutions(String s, int from, int to, char stop, int depth, List<List<Word>> commands)
      throws Unsplittable {
    int j = from;
    while (j < to) {
      char c = s.charAt(j);
      if (c == stop) {
        return j;
      }
      j = c == '\\' ? j + 2 : c == '$' ? dollar(s, j, depth + 1, commands)
          : c == '`' ? backtick(s, j, depth, commands) : j + 1;
    }
    return -1;
  }

  private static int backtick(String s, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    StringBuilder inner = new StringBuilder();
    int j = i + 1;
    while (j < s.length() && s.charAt(j) != '`') {
      if (s.charAt(j) == '\\' && j + 1 < s.length()) {
        inner.append(s.charAt(j + 1));
        j += 2;
      } else {
        inner.append(s.charAt(j++));
      }
    }
    if (j >= s.length()) {
      throw new Unsplittable("it has an unclosed backtick");
    }
    split(inner.toString(), depth + 1, commands);
    return j + 1;
  }

  /** The index of the ')' closing the '(' at {@code open}, skipping quotes and nested parentheses. */
  private static int matching(String s, int open) throws Unsplittable {
    int level = 0;
    for (int j = open; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == '\\') {
        j++;
      } else if (c == '\'') {
        j = s.indexOf('\'', j + 1);
        if (j < 0) {
          break;
        }
      } else if (c == '"') {
        int k = j + 1;
        while (k < s.length() && s.charAt(k) != '"') {
          k += s.charAt(k) == '\\' ? 2 : 1;
        }
        j = k;
      } else if (c == '(') {
        level++;
      } else if (c == ')' && --level == 0) {
        return j;
      }
    }
    throw new Unsplittable("it has an unclosed $( or (");
  }

  private static void flush(List<Word> words, int depth, List<List<Word>> commands) throws Unsplittable {
    if (!words.isEmpty()) {
      unwrap(words, depth, commands);
    }
  }

  // ---- unwrapping ------------------------------------------------------------------------------------------

  private static void unwrap(List<Word> words, int depth, List<List<Word>> commands) throws Unsplittable {
    int i = 0;
    while (true) {
      while (i < words.size() && isAssignment(words.get(i))) {
        i++;
      }
      if (i >= words.size()) {
        return;
      }
      Word program = words.get(i);
      if (program.dynamic()) {
        throw new Unsplittable("its program name " + program.text() + " comes from an expansion the shell performs");
      }
      String name = programName(program.text());
      if (name.isEmpty() || name.chars().anyMatch(c -> c == '*' || c == '?' || c == '[')) {
        throw new Unsplittable("its program name \"" + program.text() + "\" is a pattern the shell expands");
      }
      List<Word> command = new ArrayList<>();
      command.add(new Word(name, false));
      command.addAll(words.subList(i + 1, words.size()));
      if (commands.size() >= MAX_COMMANDS) {
        throw new Unsplittable("it runs more than " + MAX_COMMANDS + " commands");
      }
      commands.add(command);
      i++;
      if (SHELLS.contains(name)) {
        shellScript(words, i, name, depth, commands);
        return;
      }
      if (name.equals("find")) {
        findExec(words, i, depth, commands);
        return;
      }
      if (name.equals("su") || name.equals("runuser")) {
        switchUser(words, i, depth, commands);
        return;
      }
      if (name.equals("script")) {
        script(words, i, depth, commands);
        return;
      }
      if (name.equals("eval")) {
        split(joined(words.subList(i, words.size()), "evals text"), depth + 1, commands);
        return;
      }
      int at = afterWrapper(name, words, i, depth, commands);
      if (at < 0) {
        return;
      }
      for (int k = i; k < at; k++) {
        if (words.get(k).splits()) { // U='root rm'; sudo -u $U -rf / runs rm
          throw new Unsplittable("a word of " + name + " before its command, " + words.get(k).text()
              + ", is an unquoted expansion the shell may make several words of, which moves where the command begins");
        }
      }
      i = at;
    }
  }

  /**
   * For a wrapper, the index of the command it runs; -1 when {@code name} is not a wrapper (the command ends here).
   */
  private static int afterWrapper(String name, List<Word> words, int i, int depth, List<List<Word>> commands)
      throws Unsplittable {
    if (RESERVED_WORDS.contains(name)) {
      return i;
    }
    if (name.equals("function")) {
      return i + 1; // function NAME { body; }: the body's commands follow the name
    }
    if (PLAIN_WRAPPERS.contains(name)) {
      while (i < words.size() && words.get(i).text().startsWith("-")) {
        i++;
      }
      return i;
    }
    switch (name) {
      case "env" -> {
        return env(words, i, depth, commands);
      }
      case "nice" -> {
        return nice(words, i);
      }
      case "stdbuf" -> {
        return firstOperand(words, WrapperOptions.STDBUF.read(words, i));
      }
      case "timeout", "chroot" -> {
        // the command follows timeout's duration and chroot's new root
        Getopt options = name.equals("timeout") ? WrapperOptions.TIMEOUT : WrapperOptions.CHROOT;
        return Math.min(firstOperand(words, options.read(words, i)) + 1, words.size());
      }
      case "sudo" -> {
        return sudo(words, i);
      }
      case "doas" -> {
        return firstOperand(words, WrapperOptions.DOAS.read(words, i));
      }
      case "xargs" -> {
        xargs(words, i, depth, commands);
        return -1;
      }
      case "time", "exec" -> {
        return firstOperand(words, (name.equals("time") ? WrapperOptions.TIME : WrapperOptions.EXEC).read(words, i));
      }
      case "ionice" -> {
        // with -p, -P or -u ionice acts on processes, and its operands are more of them
        Getopt.Parsed parsed = WrapperOptions.IONICE.read(words, i);
        return parsed.has("p") || parsed.has("P") || parsed.has("u") ? -1 : firstOperand(words, parsed);
      }
      case "taskset" -> {
        // the command follows the mask; with -p taskset acts on a process
        Getopt.Parsed parsed = WrapperOptions.TASKSET.read(words, i);
        return parsed.has("p") ? -1 : Math.min(firstOperand(words, parsed) + 1, words.size());
      }
      case "watch" -> {
        return watch(words, i, depth, commands);
      }
      case "flock" -> {
        return flock(words, i, depth, commands);
      }
      case "unshare", "nsenter" -> {
        Getopt options = name.equals("unshare") ? WrapperOptions.UNSHARE : WrapperOptions.NSENTER;
        return firstOperand(words, options.read(words, i));
      }
      case "chrt" -> {
        return chrt(words, i);
      }
      default -> {
        return -1;
      }
    }
  }

  /** After options read by a getopt that does not permute, the index of the first operand. */
  private static int firstOperand(List<Word> words, Getopt.Parsed parsed) {
    return words.size() - parsed.operands().size();
  }

  /**
   * {@code env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]}: its options as getopt_long reads them, then every
   * word with an {@code =} is a variable (env sets it with putenv, whatever the name, or fails) and the first without
   * one is the command. The {@code -S} string is split into words that env reads again from its options on
   * ({@code env -S '-i rm' x} runs rm); the shell's splitting stands for env's, and finds more commands, never fewer.
   * An expanded word with an {@code =} where an option could stand is a variable, or an option whose value is the rest
   * of the word: the options are read on after it either way.
   */
  private static int env(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    List<Getopt.Option> options = new ArrayList<>();
    while (i < words.size()) {
      Word word = words.get(i);
      String w = word.text();
      if (word.dynamic() && w.indexOf('=') >= 0) {
        i++;
        continue;
      }
      WrapperOptions.ENV.notExpanded(word);
      if (w.equals("--")) {
        i++;
        break;
      }
      if (!w.startsWith("-") || w.equals("-")) {
        break;
      }
      int next = WrapperOptions.ENV.option(words, i, options);
      Getopt.Option last = options.get(options.size() - 1);
      if (last.key().equals("S")) {
        if (last.value() == null || last.value().dynamic()) {
          throw new Unsplittable("it runs an env -S script that comes from an expansion or is missing");
        }
        List<Word> rest = words.subList(Math.min(next, words.size()), words.size());
        split("env " + last.value().text() + " " + join(rest), depth + 1, commands);
        return -1;
      }
      i = next;
    }
    if (i < words.size() && !words.get(i).dynamic() && words.get(i).text().equals("-")) {
      i++; // env - : -i
    }
    while (i < words.size() && words.get(i).text().indexOf('=') >= 0) {
      i++;
    }
    return Math.min(i, words.size());
  }

  /**
   * {@code sudo [OPTION]... [VAR=VALUE]... [--] COMMAND}: sudo's getopt_long stops at the first word that is not an
   * option; a word there with an {@code =} that begins with neither {@code /} nor {@code =} is a variable, and the
   * options go on after it, unless the word before is {@code --} (sudo's parse_args.c). {@code -h} alone takes the
   * next word as the remote host when it neither begins with {@code -} nor is a variable. An expanded word with the
   * shape of a variable is one, or an option whose value is the rest of the word: the options go on either way.
   */
  private static int sudo(List<Word> words, int i) throws Unsplittable {
    List<Getopt.Option> options = new ArrayList<>();
    while (i < words.size()) {
      Word word = words.get(i);
      String w = word.text();
      if (!w.startsWith("-") || w.equals("-")) {
        if (!sudoVariable(w)) {
          WrapperOptions.SUDO.notExpanded(word);
          return i;
        }
        if (words.get(i - 1).text().equals("--")) {
          return i;
        }
        i++;
        continue;
      }
      WrapperOptions.SUDO.notExpanded(word);
      if (w.equals("--")) {
        return i + 1;
      }
      i = WrapperOptions.SUDO.option(words, i, options);
      if (w.equals("-h") && i < words.size() && !words.get(i).text().startsWith("-")
          && !sudoVariable(words.get(i).text())) {
        i++;
      }
    }
    return Math.min(i, words.size());
  }

  private static boolean sudoVariable(String w) {
    return !w.isEmpty() && w.charAt(0) != '/' && w.charAt(0) != '=' && w.indexOf('=') > 0;
  }

  /**
   * {@code xargs [OPTION]... [COMMAND [INITIAL-ARGUMENT]...]} runs its command with words read from its input, which
   * are expanded words: after the initial arguments, and with {@code -I}, {@code -i} or {@code --replace} in place of
   * the replace string wherever an initial argument holds it (xargs leaves the command's name alone). Without a
   * command xargs runs echo.
   */
  private static void xargs(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    Getopt.Parsed parsed = WrapperOptions.XARGS.read(words, i);
    List<Word> operands = parsed.operands();
    if (operands.isEmpty()) {
      return;
    }
    List<String> replaced = new ArrayList<>();
    boolean everywhere = false; // an empty replace string, or one from an expansion, may be found in any word
    for (Word r : parsed.values("I", "i")) {
      if (r == null) {
        replaced.add("{}");
      } else if (r.dynamic() || r.text().isEmpty()) {
        everywhere = true;
      } else {
        replaced.add(r.text());
      }
    }
    List<Word> run = new ArrayList<>(List.of(operands.get(0)));
    for (Word w : operands.subList(1, operands.size())) {
      boolean filled = everywhere || replaced.stream().anyMatch(w.text()::contains);
      run.add(filled ? new Word(w.text(), true) : w);
    }
    run.add(new Word("...", true)); // the words read from the input
    unwrap(run, depth + 1, commands);
  }

  /**
   * {@code watch [OPTION]... COMMAND...}: with {@code -x} the command runs as it is; otherwise watch joins its words
   * with spaces and runs them through {@code sh -c} ({@code watch 'ls; rm x'} runs rm).
   */
  private static int watch(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    Getopt.Parsed parsed = WrapperOptions.WATCH.read(words, i);
    if (parsed.has("x") || parsed.operands().isEmpty()) {
      return firstOperand(words, parsed);
    }
    split(joined(parsed.operands(), "runs a watch command"), depth + 1, commands);
    return -1;
  }

  /**
   * {@code flock [OPTION]... FILE COMMAND [ARG]...}, {@code flock [OPTION]... FILE -c COMMAND} (through
   * {@code sh -c}), {@code flock [OPTION]... FD} (runs nothing), and since util-linux 2.43
   * {@code flock --fd FD [OPTION]... COMMAND [ARG]...} and {@code flock --fd FD -c COMMAND}.
   */
  private static int flock(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    Getopt.Parsed parsed = WrapperOptions.FLOCK.read(words, i);
    int at = firstOperand(words, parsed);
    if (parsed.has("c")) {
      if (at < words.size()) {
        split(literal(words.get(at), "runs a flock -c command"), depth + 1, commands);
      }
      return -1;
    }
    at += parsed.has("fd") ? 0 : 1; // the file, unless --fd gave the descriptor
    if (at + 1 < words.size() && (words.get(at).text().equals("-c") || words.get(at).text().equals("--command"))) {
      split(literal(words.get(at + 1), "runs a flock -c command"), depth + 1, commands);
      return -1;
    }
    return Math.min(at, words.size());
  }

  /** {@code nice [-ADJUSTMENT] [OPTION]... [COMMAND [ARG]...]}: the index of the command. */
  private static int nice(List<Word> words, int i) throws Unsplittable {
    List<Getopt.Option> options = new ArrayList<>();
    while (i < words.size()) {
      Word word = words.get(i);
      String w = word.text();
      WrapperOptions.NICE.notExpanded(word);
      if (NICE_ADJUSTMENT.matcher(w).lookingAt()) {
        i++;
      } else if (w.equals("--")) {
        return i + 1;
      } else if (!w.startsWith("-") || w.equals("-")) {
        return i;
      } else {
        i = WrapperOptions.NICE.option(words, i, options);
      }
    }
    return Math.min(i, words.size());
  }

  /**
   * {@code chrt [options] PRIORITY COMMAND...}: the index of the command. The priority is optional since util-linux
   * 2.42 (a word of digits is one); {@code chrt -p [PRIORITY] PID} acts on a process and runs nothing, except that up
   * to 2.42 a pid of 0 ran the words after the priority.
   */
  private static int chrt(List<Word> words, int i) throws Unsplittable {
    Getopt.Parsed parsed = WrapperOptions.CHRT.read(words, i);
    List<Word> operands = parsed.operands();
    int at = words.size() - operands.size();
    if (parsed.has("p")) {
      Word pid = operands.isEmpty() ? null : operands.get(operands.size() - 1);
      if (operands.size() < 3 || !pid.dynamic() && !ZERO.matcher(pid.text()).matches()) {
        return -1;
      }
      at++;
    } else if (!operands.isEmpty()) {
      if (operands.get(0).dynamic()) {
        throw new Unsplittable("its chrt priority or program comes from an expansion");
      }
      at += operands.size() > 1 && INTEGER.matcher(operands.get(0).text()).matches() ? 1 : 0;
    }
    return at < words.size() && words.get(at).text().equals("--") ? at + 1 : at;
  }

  /**
   * {@code su} and {@code runuser}: with {@code -u USER} (runuser) the operands are the command, run as they are;
   * otherwise the user's shell, or the {@code -s} program, runs with {@code -c COMMAND} (the last one given) and the
   * operands after the user. The user's shell is taken to be a POSIX shell.
   */
  private static void switchUser(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    Getopt.Parsed parsed = WrapperOptions.SU.read(words, i);
    List<Word> operands = new ArrayList<>(parsed.operands());
    if (!operands.isEmpty() && operands.get(0).text().equals("-")) {
      operands.remove(0); // su - USER: a login shell
    }
    if (parsed.has("u")) {
      if (!operands.isEmpty()) {
        unwrap(operands, depth + 1, commands);
      }
      return;
    }
    List<Word> arguments = new ArrayList<>();
    Word script = last(parsed.values("c", "C"));
    if (script != null) {
      arguments.add(new Word("-c", false));
      arguments.add(script);
    }
    arguments.addAll(operands.subList(Math.min(1, operands.size()), operands.size()));
    Word shell = last(parsed.values("s"));
    if (shell == null) {
      shellScript(arguments, 0, "sh", depth, commands);
      return;
    }
    List<Word> argv = new ArrayList<>(List.of(shell));
    argv.addAll(arguments);
    unwrap(argv, depth + 1, commands);
  }

  /**
   * {@code script [options] [FILE] [-- PROGRAM ARGS...]}: the {@code -c} command, wherever it stands (options follow
   * the file but in util-linux 2.42), and since 2.42 the words after the first {@code --} joined with spaces, each
   * run through {@code $SHELL -c}, taken to be a POSIX shell.
   */
  private static void script(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    for (int j = i; j < words.size(); j++) {
      if (!words.get(j).dynamic() && words.get(j).text().equals("--")) {
        if (j + 1 < words.size()) {
          split(joined(words.subList(j + 1, words.size()), "runs a script -- command"), depth + 1, commands);
        }
        break;
      }
    }
    for (Word command : WrapperOptions.SCRIPT.read(words, i).values("c")) {
      if (command != null) {
        split(literal(command, "runs a script -c command"), depth + 1, commands);
      }
    }
  }

  private static Word last(List<Word> values) {
    Word last = null;
    for (Word v : values) {
      last = v != null ? v : last;
    }
    return last;
  }

  /**
   * {@code find ... -exec|-execdir|-ok|-okdir COMMAND ... ;|+}: each command is a command of its own, and a word holding
   * {@code {}} an expanded word, as GNU find puts the file name in its place in every word, the command's name too
   * ({@code find /bin -name rm -exec {} -rf / ;} runs rm).
   */
  private static void findExec(List<Word> words, int i, int depth, List<List<Word>> commands) throws Unsplittable {
    for (int j = i; j < words.size(); j++) {
      String w = words.get(j).text();
      if (w.equals("-exec") || w.equals("-execdir") || w.equals("-ok") || w.equals("-okdir")) {
        int end = j + 1;
        while (end < words.size() && !words.get(end).text().equals(";") && !words.get(end).text().equals("+")) {
          end++;
        }
        if (end > j + 1) {
          List<Word> command = new ArrayList<>();
          for (Word word : words.subList(j + 1, end)) {
            command.add(word.text().contains("{}") ? new Word(word.text(), true) : word);
          }
          unwrap(command, depth + 1, commands);
        }
        j = end;
      }
    }
  }

  /** {@code bash [-flags...] -c SCRIPT [name args...]}, {@code bash -lc SCRIPT}, {@code bash -o opt -c SCRIPT}. */
  private static void shellScript(List<Word> words, int i, String shell, int depth, List<List<Word>> commands)
      throws Unsplittable {
    boolean command = false;
    if (shell.equals("busybox")) {
      if (i < words.size()) {
        unwrap(new ArrayList<>(words.subList(i, words.size())), depth + 1, commands);
      }
      return;
    }
    while (i < words.size()) {
      Word w = words.get(i);
      String t = w.text();
      if (w.dynamic()) {
        throw new Unsplittable("it gives " + shell + " a word from an expansion where an option could stand, so "
            + "whether it runs a -c script cannot be told");
      }
      if (t.equals("--") || t.equals("-")) {
        i++;
        break;
      }
      if (!(t.startsWith("-") || t.startsWith("+")) || t.length() < 2) {
        break;
      }
      i++;
      if (t.equals("--rcfile") || t.equals("--init-file")) {
        i++;
      } else if (!t.startsWith("--")) {
        // a cluster: c reads the script from the first operand, and each o and O takes the next word as its value,
        // wherever it stands in the cluster (bash -eo pipefail -c SCRIPT)
        for (int k = 1; k < t.length(); k++) {
          command |= t.charAt(k) == 'c';
          i += t.charAt(k) == 'o' || t.charAt(k) == 'O' ? 1 : 0;
        }
      }
    }
    if (!command || i >= words.size()) {
      return; // runs a script file or standard input, which is not in the text
    }
    split(literal(words.get(i), "runs a " + shell + " -c script"), depth + 1, commands);
  }

  /** The text of a script word ({@code sh -c}, {@code su -c}, {@code flock -c}); uninterpretable from an expansion. */
  private static String literal(Word script, String what) throws Unsplittable {
    if (script.dynamic()) {
      throw new Unsplittable("it " + what + " that comes from an expansion");
    }
    return script.text();
  }

  /**
   * Words a command joins with spaces into a script ({@code eval}, {@code watch}); uninterpretable from an expansion.
   */
  private static String joined(List<Word> words, String what) throws Unsplittable {
    StringBuilder script = new StringBuilder();
    for (Word w : words) {
      script.append(script.length() > 0 ? " " : "").append(literal(w, what));
    }
    return script.toString();
  }

  private static boolean isAssignment(Word w) {
    String t = w.text();
    int eq = t.indexOf('=');
    if (eq <= 0) {
      return false;
    }
    for (int i = 0; i < eq; i++) {
      char c = t.charAt(i);
      if (!(c == '_' || Character.isLetter(c) || i > 0 && Character.isDigit(c) || i == eq - 1 && c == '+')) {
        return false;
      }
    }
    return true;
  }

  /** The last segment of a program path ({@code /usr/bin/rm} is {@code rm}). */
  static String programName(String program) {
    int slash = program.lastIndexOf('/');
    return slash < 0 ? program : program.substring(slash + 1);
  }

  /** Words quoted back into shell text; an expanded word stays one ({@code $_} stands for its expansion). */
  private static String join(List<Word> words) {
    StringBuilder out = new StringBuilder();
    for (Word w : words) {
      out.append(out.length() > 0 ? " " : "").append('\'').append(w.text().replace("'", "'\\''")).append('\'')
          .append(w.dynamic() ? "$_" : "");
    }
    return out.toString();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (List<Word> c : commands) {
      out.append(out.length() > 0 ? " | " : "").append('[');
      for (int i = 0; i < c.size(); i++) {
        out.append(i > 0 ? " " : "").append(c.get(i).text());
      }
      out.append(']');
    }
    return out.toString();
  }
}
