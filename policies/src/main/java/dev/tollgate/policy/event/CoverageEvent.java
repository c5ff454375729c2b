package dev.tollgate.policy.event;

import java.util.List;
import java.util.Map;

/**
 * What the agent has woven so far, re-written whenever a new choke point is woven or a class loader is skipped:
 * the modules installed, each woven choke point ({@code framework}, {@code version}, {@code choke_point},
 * {@code types}), the modules switched off ({@code framework}, {@code disabled_by}) and those skipped
 * ({@code framework}, {@code version}, {@code reason}, {@code class_loader}).
 */
public record CoverageEvent(List<String> installed, List<Map<String, Object>> instrumentations,
    List<Map<String, Object>> disabled, List<Map<String, Object>> skipped) implements LogEvent {
  public static final String NAME = "coverage";

  public CoverageEvent {
    installed = LogEvent.copy(installed);
    instrumentations = LogEvent.copy(instrumentations);
    disabled = disabled == null || disabled.isEmpty() ? null : List.copyOf(disabled);
    skipped = skipped == null || skipped.isEmpty() ? null : List.copyOf(skipped);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("installed", installed).put("instrumentations", instrumentations).put("disabled", disabled)
        .put("skipped", skipped);
  }

  static CoverageEvent read(Line l) {
    return new CoverageEvent(l.texts("installed"), l.objects("instrumentations"), l.objects("disabled"),
        l.objects("skipped"));
  }
}
