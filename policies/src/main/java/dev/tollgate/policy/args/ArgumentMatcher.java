package dev.tollgate.policy.args;

import dev.tollgate.policy.Glob;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * One typed matcher of an argument rule ({@code args: { path: { path_under: [...] } }}), as written in the policy.
 * {@link #compile} binds it to a {@link MatchContext} (roots are resolved then); the compiled form reads one
 * argument value and says how it read it.
 *
 * <p>A value a matcher cannot interpret ({@link Reading.Result#UNINTERPRETABLE}) makes a deny rule match (fail
 * closed) and an allow rule not match. A {@code command_prefix} in a deny rule matches when any command the text
 * runs begins with a prefix; in an allow rule only when every one does.
 */
public sealed interface ArgumentMatcher {
  /** The keys of the matcher object, in the order the README lists them. */
  List<String> KEYS = List.of("path_under", "path_not_under", "url_host", "command_prefix", "above", "below", "regex",
      "glob");

  /** The key as written in the policy ({@code path_under}). */
  String key();

  Compiled compile(MatchContext ctx);

  /** A matcher bound to its context. */
  interface Compiled {
    Reading read(ArgumentValue value, boolean denyRule);
  }

  /** {@code glob: "..."}, and the plain string form of {@code args}: a glob on the value as text. */
  record TextGlob(String glob) implements ArgumentMatcher {
    @Override
    public String key() {
      return "glob";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      Glob g = Glob.of(glob);
      return (value, deny) -> {
        String account = (g.matches(value.text()) ? "matches" : "does not match") + " glob \"" + glob + "\"";
        return Reading.of(g.matches(value.text()), account, account);
      };
    }
  }

  /** {@code regex: "..."} and {@code args_regex}: RE2, whole value, dot matches newline. */
  record Regex(String regex) implements ArgumentMatcher {
    @Override
    public String key() {
      return "regex";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      com.google.re2j.Pattern p = com.google.re2j.Pattern.compile(regex, com.google.re2j.Pattern.DOTALL);
      return (value, deny) -> {
        boolean m = p.matcher(value.text()).matches();
        String account = (m ? "matches" : "does not match") + " regex \"" + regex + "\"";
        return Reading.of(m, account, account);
      };
    }
  }

  /** {@code path_under} ({@code negated} false) or {@code path_not_under} (true). */
  record PathUnder(List<String> roots, boolean negated) implements ArgumentMatcher {
    public PathUnder {
      roots = List.copyOf(roots);
    }

    @Override
    public String key() {
      return negated ? "path_not_under" : "path_under";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      List<CanonicalPath> resolved = new ArrayList<>();
      for (String root : roots) {
        String expanded = PathRoots.expand(root, ctx);
        if (expanded != null && CanonicalPath.of(expanded, ctx) instanceof CanonicalPath.Read r) {
          resolved.add(r.path());
        }
      }
      return (value, deny) -> {
        if (value.kind() != ArgumentValue.Kind.STRING) {
          return Reading.uninterpretable("is " + value.described() + ", not a path", "a path");
        }
        CanonicalPath.Result result = CanonicalPath.of(value.text(), ctx);
        if (result instanceof CanonicalPath.Problem p) {
          return Reading.uninterpretable("is not a path this matcher can read: " + p.why(), "a path");
        }
        CanonicalPath.Read r = (CanonicalPath.Read) result;
        {
            CanonicalPath under = null;
            for (CanonicalPath root : resolved) {
              if (r.path().isUnder(root, ctx.caseInsensitive())) {
                under = root;
                break;
              }
            }
            String account = "reads as " + r.path() + (under != null ? ", under " + under
                : ", under none of " + resolved);
            String summary = under != null ? "is under " + under : "is under none of " + resolved;
            return Reading.of((under != null) != negated, account, summary);
        }
      };
    }
  }

  /** {@code url_host: [...]}: keywords, address ranges, host-name globs. */
  record UrlHostIn(List<String> patterns) implements ArgumentMatcher {
    public UrlHostIn {
      patterns = List.copyOf(patterns);
    }

    @Override
    public String key() {
      return "url_host";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      List<HostPattern> compiled = patterns.stream().map(HostPattern::parse).toList();
      return (value, deny) -> {
        if (value.kind() != ArgumentValue.Kind.STRING) {
          return Reading.uninterpretable("is " + value.described() + ", not a URL", "a URL");
        }
        UrlHost.Result result = UrlHost.of(value.text());
        if (result instanceof UrlHost.Problem p) {
          return Reading.uninterpretable("is not a URL this matcher can read: " + p.why(), "a URL");
        }
        UrlHost.Read r = (UrlHost.Read) result;
        {
            HostPattern hit = null;
            for (HostPattern hp : compiled) {
              if (hp.matches(r.host())) {
                hit = hp;
                break;
              }
            }
            return Reading.of(hit != null, "has host " + r.host()
                + (hit != null ? ", which is " + hit : ", in none of " + patterns),
                hit != null ? "has a host that is " + hit : "has a host in none of " + patterns);
        }
      };
    }
  }

  /** {@code command_prefix: ["rm", "git push"]}: whole words from the program on. */
  record CommandPrefix(List<String> prefixes) implements ArgumentMatcher {
    public CommandPrefix {
      prefixes = List.copyOf(prefixes);
    }

    @Override
    public String key() {
      return "command_prefix";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      List<List<String>> words = prefixes.stream().map(CommandPrefix::words).toList();
      return (value, deny) -> {
        ShellCommand.Result parsed;
        if (value.kind() == ArgumentValue.Kind.STRING) {
          parsed = ShellCommand.of(value.text());
        } else if (value.strings() != null && !value.strings().isEmpty()) {
          parsed = ShellCommand.ofArgv(value.strings());
        } else {
          return Reading.uninterpretable("is " + value.described() + ", not a command", "a command");
        }
        if (parsed instanceof ShellCommand.Problem p) {
          return Reading.uninterpretable("is a command this matcher cannot split: " + p.why(), "a command");
        }
        return readCommands(((ShellCommand.Read) parsed).command(), words, deny);
      };
    }

    private Reading readCommands(ShellCommand command, List<List<String>> words, boolean deny) {
      if (command.commands().isEmpty()) {
        return Reading.of(false, "runs no command", "runs no command");
      }
      int matching = 0;
      String first = null;
      String firstMiss = null;
      for (List<ShellCommand.Word> c : command.commands()) {
        Boolean begins = beginsWithAny(c, words);
        if (begins == null) {
          return Reading.uninterpretable("runs " + command + ", where " + render(c)
              + " has a word the shell expands where a prefix is compared", "a command");
        }
        if (begins) {
          matching++;
          first = first == null ? render(c) : first;
        } else if (firstMiss == null) {
          firstMiss = render(c);
        }
      }
      String account = "runs " + command;
      if (deny) {
        return Reading.of(matching > 0, account + (matching > 0 ? "; " + first + " begins with a prefix of "
            + prefixes : "; none begins with a prefix of " + prefixes),
            matching > 0 ? "runs a command beginning with one of " + prefixes
                : "runs no command beginning with one of " + prefixes);
      }
      boolean all = matching == command.commands().size();
      return Reading.of(all, account + (all ? "; every one begins with a prefix of " + prefixes
          : "; " + firstMiss + " begins with no prefix of " + prefixes),
          all ? "runs only commands beginning with one of " + prefixes
              : "runs a command beginning with none of " + prefixes);
    }

    /** True or false, or null when a compared word is expanded by the shell (unknown). */
    private static Boolean beginsWithAny(List<ShellCommand.Word> command, List<List<String>> prefixes) {
      boolean unknown = false;
      for (List<String> prefix : prefixes) {
        if (command.size() < prefix.size()) {
          continue;
        }
        boolean matches = true;
        boolean dynamic = false;
        for (int i = 0; i < prefix.size(); i++) {
          ShellCommand.Word w = command.get(i);
          if (w.dynamic()) {
            dynamic = true;
          } else if (!w.text().equals(prefix.get(i))) {
            matches = false;
            break;
          }
        }
        if (matches && !dynamic) {
          return true;
        }
        unknown |= matches;
      }
      return unknown ? null : false;
    }

    private static String render(List<ShellCommand.Word> c) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < c.size(); i++) {
        out.append(i > 0 ? " " : "").append(c.get(i).text());
      }
      return out.append(']').toString();
    }

    /** A prefix's words; the first named by its last path segment, as commands are. */
    static List<String> words(String prefix) {
      List<String> words = new ArrayList<>(List.of(prefix.strip().split("\\s+")));
      words.set(0, ShellCommand.programName(words.get(0)));
      return List.copyOf(words);
    }

    /** Why {@code prefix} is not a command prefix, or null. */
    public static String problem(String prefix) {
      if (prefix == null || prefix.isBlank()) {
        return "must not be empty";
      }
      if (prefix.length() > 256) {
        return "must be at most 256 characters long, got " + prefix.length();
      }
      Matcher m = java.util.regex.Pattern.compile("[^A-Za-z0-9_./:=+,@%~^\\- \\t]").matcher(prefix);
      if (m.find()) {
        return "must be plain words (letters, digits and _ . / : = + , @ % ~ ^ -), found '" + m.group() + "'";
      }
      return ShellCommand.programName(prefix.strip().split("\\s+")[0]).isEmpty()
          ? "must start with a program name, got \"" + prefix + "\"" : null;
    }
  }

  /** {@code above: N} ({@code below} false) or {@code below: N} (true): strictly greater or less. */
  record Bound(BigDecimal limit, boolean below) implements ArgumentMatcher {
    /** {@code 1000} rather than {@code 1E+3}, unless that would be a very long string. */
    static String plain(BigDecimal n) {
      return Math.abs((long) n.scale()) <= 30 ? n.toPlainString() : n.toString();
    }

    @Override
    public String key() {
      return below ? "below" : "above";
    }

    @Override
    public Compiled compile(MatchContext ctx) {
      return (value, deny) -> {
        NumberValue.Result result = NumberValue.of(value);
        if (result instanceof NumberValue.Problem p) {
          return Reading.uninterpretable("is not a number this matcher can read: " + p.why(), "a number");
        }
        NumberValue.Read r = (NumberValue.Read) result;
        int c = r.number().compareTo(limit);
          boolean m = below ? c < 0 : c > 0;
        String bound = (m ? "" : "not ") + key() + " " + limit.toPlainString();
        return Reading.of(m, "reads as " + plain(r.number()) + ", " + bound, "is " + bound);
      };
    }
  }
}
