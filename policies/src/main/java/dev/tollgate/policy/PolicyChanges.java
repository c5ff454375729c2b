package dev.tollgate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** What a reload changes between the running policy and the next one, for {@code policy.reloaded}. */
public final class PolicyChanges {
  private PolicyChanges() {}

  /** Each difference that takes effect now, in a few words. */
  public static List<String> changes(Policy before, Policy after) {
    List<String> out = new ArrayList<>();
    if (before.mode() != after.mode()) {
      out.add("mode: " + lower(before.mode()) + " -> " + lower(after.mode()));
    }
    if (!Objects.equals(before.profile(), after.profile())) {
      out.add("profile: " + before.profile() + " -> " + after.profile());
    }
    if (!before.tools().equals(after.tools())) {
      out.add("tools");
    }
    List<String> orgBefore = before.governance().layers().stream().map(l -> l.label() + " " + l.policy().tools())
        .toList();
    List<String> orgAfter = after.governance().layers().stream().map(l -> l.label() + " " + l.policy().tools())
        .toList();
    if (!orgBefore.equals(orgAfter)) {
      out.add("governance tools");
    }
    for (Limit l : after.limits()) {
      Limit old = limit(before, l.name());
      if (old == null) {
        out.add("limit added: " + l.name());
      } else if (!same(old, l)) {
        out.add("limit changed: " + l.name());
      }
    }
    for (Limit l : before.limits()) {
      if (limit(after, l.name()) == null) {
        out.add("limit removed: " + l.name());
      }
    }
    for (Budget b : after.budgets()) {
      Budget old = budget(before, b.name());
      if (old == null) {
        out.add("budget added: " + b.name());
      } else if (!same(old, b)) {
        out.add("budget changed: " + b.name());
      }
    }
    for (Budget b : before.budgets()) {
      if (budget(after, b.name()) == null) {
        out.add("budget removed: " + b.name());
      }
    }
    return out;
  }

  /** Limits and budgets of {@code after} that keep their name, scope, per and window: their counts and spend go on. */
  public static List<String> carried(Policy before, Policy after) {
    List<String> out = new ArrayList<>();
    for (Limit l : after.limits()) {
      Limit old = limit(before, l.name());
      if (old != null && old.scope() == l.scope() && Objects.equals(old.per(), l.per())
          && Objects.equals(old.window(), l.window()) && old.countsLlmCalls() == l.countsLlmCalls()) {
        out.add(l.name());
      }
    }
    for (Budget b : after.budgets()) {
      Budget old = budget(before, b.name());
      if (old != null && old.scope() == b.scope() && Objects.equals(old.per(), b.per())) {
        out.add(b.name());
      }
    }
    return out;
  }

  /** Keys that changed but are read once, at start: they apply at the next start. */
  public static List<String> restartNeeded(Policy before, Policy after) {
    List<String> out = new ArrayList<>();
    if (!before.log().equals(after.log())) {
      out.add("log");
    }
    if (!before.ledger().equals(after.ledger())) {
      out.add("ledger");
    }
    if (!before.metrics().equals(after.metrics())) {
      out.add("metrics");
    }
    if (!before.entryPoints().equals(after.entryPoints())) {
      out.add("runs");
    }
    if (!before.providers().equals(after.providers())) {
      out.add("providers");
    }
    if (!before.pricing().equals(after.pricing())) {
      out.add("pricing");
    }
    if (!before.coverage().equals(after.coverage())) {
      out.add("coverage");
    }
    return out;
  }

  private static boolean same(Limit a, Limit b) {
    return new Limit(0, a.name(), a.scope(), a.tools(), a.maxCalls(), a.onExceed(), a.window(), a.maxIdentical(),
        a.per(), a.llm()).equals(new Limit(0, b.name(), b.scope(), b.tools(), b.maxCalls(), b.onExceed(), b.window(),
        b.maxIdentical(), b.per(), b.llm()));
  }

  private static boolean same(Budget a, Budget b) {
    return a.scope() == b.scope() && a.maxNanos() == b.maxNanos() && a.maxTokens() == b.maxTokens()
        && a.onExceed() == b.onExceed() && Objects.equals(a.per(), b.per()) && Objects.equals(a.models(), b.models())
        && Objects.equals(a.warnAt(), b.warnAt()) && Objects.equals(a.approval(), b.approval());
  }

  private static Limit limit(Policy p, String name) {
    return p.limits().stream().filter(l -> l.name().equals(name)).findFirst().orElse(null);
  }

  private static Budget budget(Policy p, String name) {
    return p.budgets().stream().filter(b -> b.name().equals(name)).findFirst().orElse(null);
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
