package dev.tollgate.policy.event;

import java.util.List;

/**
 * A changed policy (the app's file or a governance file) was swapped in without a restart.
 *
 * @param files          the files whose change was noticed
 * @param changes        what changed, one entry each: {@code tools}, {@code mode: enforce -> monitor},
 *                       {@code limit added: x}, {@code budget removed: y}, {@code limit changed: z}, ...
 * @param carried        limits and budgets that kept their name and whose counts and spend carried over
 * @param restartNeeded  keys that changed but only take effect at the next start (log, ledger, metrics, runs,
 *                       providers, pricing, coverage)
 */
public record PolicyReloaded(List<String> files, List<String> changes, List<String> carried,
    List<String> restartNeeded) implements LogEvent {
  public static final String NAME = "policy.reloaded";

  public PolicyReloaded {
    files = LogEvent.copy(files);
    changes = LogEvent.copy(changes);
    carried = LogEvent.copy(carried);
    restartNeeded = LogEvent.copy(restartNeeded);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("files", files).put("changes", changes).put("carried", carried).put("restart_needed", restartNeeded);
  }

  static PolicyReloaded read(Line l) {
    return new PolicyReloaded(l.texts("files"), l.texts("changes"), l.texts("carried"), l.texts("restart_needed"));
  }
}
