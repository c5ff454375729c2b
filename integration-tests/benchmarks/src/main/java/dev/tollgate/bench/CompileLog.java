package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what the JIT compiled in two sets of starts, from HotSpot's {@code -XX:+LogCompilation} files: compile time
 * per tier per start, the methods whose C2 (tier 4) time differs most, and the classes whose methods were compiled
 * more or less often (tasks of any tier per start). A start-up change on the agent's per-class path shows here when
 * the whole process's CPU cannot resolve it: every class the app loads runs that path, so what is on it is hot and
 * compiled, on the core the app's own compilations need.
 * <pre>CompileLog DIR LABEL_A LABEL_B   (reads DIR/LABEL-N.xml, N = 1, 2, ...)</pre>
 * A task's time is from its {@code <task stamp>} to its {@code <task_done stamp>} (the compiler thread's wall time).
 */
public final class CompileLog {
  private static final Pattern METHOD = Pattern.compile("method='([^']*)'");
  private static final Pattern LEVEL = Pattern.compile("level='(\\d)'");
  private static final Pattern STAMP = Pattern.compile("stamp='([0-9.]+)'");

  /** One compilation task: tier, method ("pkg.Class name"), milliseconds. */
  record Task(int level, String method, double ms) {}

  private CompileLog() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: CompileLog DIR LABEL_A LABEL_B");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Map<String, Map<String, Double>> c2ByLabel = new LinkedHashMap<>();
    Map<String, Map<String, Double>> tasksByLabel = new LinkedHashMap<>();
    for (String label : List.of(args[1], args[2])) {
      List<List<Task>> starts = new ArrayList<>();
      for (int n = 1; Files.exists(dir.resolve(label + "-" + n + ".xml")); n++) {
        starts.add(read(dir.resolve(label + "-" + n + ".xml")));
      }
      if (starts.isEmpty()) {
        System.err.println("no " + label + "-1.xml in " + dir);
        System.exit(1);
      }
      Map<Integer, Double> byTier = new TreeMap<>();
      Map<String, Double> c2 = new HashMap<>();
      Map<String, Double> tasks = new HashMap<>();
      StringBuilder totals = new StringBuilder();
      for (List<Task> start : starts) {
        double total = 0;
        for (Task t : start) {
          total += t.ms();
          byTier.merge(t.level(), t.ms() / starts.size(), Double::sum);
          tasks.merge(className(t.method()), 1.0 / starts.size(), Double::sum);
          if (t.level() == 4) {
            c2.merge(t.method(), t.ms() / starts.size(), Double::sum);
          }
        }
        totals.append(totals.length() == 0 ? "" : " ").append(Math.round(total));
      }
      c2ByLabel.put(label, c2);
      tasksByLabel.put(label, tasks);
      StringBuilder tiers = new StringBuilder();
      byTier.forEach((tier, ms) -> tiers.append(" tier ").append(tier).append(' ').append(Math.round(ms)));
      System.out.printf(Locale.ROOT, "%s: %d starts; compile ms per start, mean by tier:%s; totals: %s%n", label,
          starts.size(), tiers, totals);
    }
    System.out.printf(Locale.ROOT, "C2 ms per start, %s minus %s (%s, %s), largest differences:%n", args[2], args[1],
        args[2], args[1]);
    printDifferences(c2ByLabel.get(args[1]), c2ByLabel.get(args[2]), 20);
    System.out.printf(Locale.ROOT, "compile tasks per start by class, %s minus %s (%s, %s), largest differences:%n",
        args[2], args[1], args[2], args[1]);
    printDifferences(tasksByLabel.get(args[1]), tasksByLabel.get(args[2]), 15);
  }

  /** The {@code limit} keys whose values differ most between {@code a} and {@code b}: b - a, b, a, key. */
  private static void printDifferences(Map<String, Double> a, Map<String, Double> b, int limit) {
    Map<String, Double> diff = new HashMap<>();
    a.forEach((k, v) -> diff.merge(k, -v, Double::sum));
    b.forEach((k, v) -> diff.merge(k, v, Double::sum));
    diff.entrySet().stream().sorted((x, y) -> Double.compare(Math.abs(y.getValue()), Math.abs(x.getValue())))
        .limit(limit).forEach(e -> System.out.printf(Locale.ROOT, "%+7.1f  (%5.1f, %5.1f)  %s%n", e.getValue(),
            b.getOrDefault(e.getKey(), 0.0), a.getOrDefault(e.getKey(), 0.0), e.getKey()));
  }

  /** "pkg.Class" of a task's "pkg.Class name". */
  static String className(String method) {
    int space = method.indexOf(' ');
    return space < 0 ? method : method.substring(0, space);
  }

  /** The tasks of one log, in the order they finished; a task with no {@code task_done} (the JVM exited) is left out. */
  static List<Task> read(Path log) throws IOException {
    List<Task> tasks = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.ISO_8859_1)) {
      String method = null;
      int level = 4;
      double start = 0;
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("<task ")) {
          Matcher m = METHOD.matcher(line);
          Matcher l = LEVEL.matcher(line);
          Matcher s = STAMP.matcher(line);
          method = m.find() ? unescape(m.group(1)) : null;
          int space = method == null ? -1 : method.indexOf(' ', method.indexOf(' ') + 1);
          method = space < 0 ? method : method.substring(0, space); // "pkg.Class name", no signature
          level = l.find() ? Integer.parseInt(l.group(1)) : 4; // C2 tasks carry no level
          start = s.find() ? Double.parseDouble(s.group(1)) : 0;
        } else if (line.startsWith("<task_done") && method != null) {
          Matcher s = STAMP.matcher(line);
          if (s.find()) {
            tasks.add(new Task(level, method, (Double.parseDouble(s.group(1)) - start) * 1000));
          }
          method = null;
        }
      }
    }
    return tasks;
  }

  private static String unescape(String xml) {
    return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&quot;", "\"")
        .replace("&amp;", "&");
  }
}
