package dev.tollgate.policy.event;

import java.util.List;

/**
 * The policy has budgets, LLM limits or tool rules that nothing woven in this JVM can enforce (once per JVM, on disk
 * before the call goes on): what is missing, whether governed calls are refused until it is covered, and why.
 */
public record CoverageGapEvent(List<String> missing, boolean enforced, String reason, String at,
    List<String> installed, List<String> woven, List<String> notWoven) implements LogEvent {
  public static final String NAME = "coverage.gap";

  public CoverageGapEvent {
    missing = LogEvent.copy(missing);
    installed = LogEvent.copy(installed);
    woven = LogEvent.copy(woven);
    notWoven = LogEvent.copy(notWoven);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("missing", missing).put("enforced", enforced).put("reason", reason).put("at", at)
        .put("installed", installed).put("woven", woven).put("not_woven", notWoven);
  }

  static CoverageGapEvent read(Line l) {
    return new CoverageGapEvent(l.texts("missing"), l.flag("enforced", false), l.text("reason"), l.text("at"),
        l.texts("installed"), l.texts("woven"), l.texts("not_woven"));
  }
}
