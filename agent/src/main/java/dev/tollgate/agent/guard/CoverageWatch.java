package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.event.CoverageGapEvent;
import dev.tollgate.policy.CoverageGap;
import dev.tollgate.policy.Policy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * Watches whether the policy can be enforced with what is woven in this JVM ({@link CoverageGap} decides). Asked
 * at every governed tool call, LLM call and run end until the policy is covered: the first time a gap shows it
 * writes {@code coverage.gap} to the enforcement log and one {@code [tollgate] WARNING} line to stderr; while a
 * required coverage is missing it hands the gap back so the caller refuses the call.
 *
 * <p>Asked no earlier than the first tool call or run end: clients that load lazily (Spring's request classes on
 * the first request) are woven by then, so a covered app is never reported.
 */
public final class CoverageWatch {
  private static final Logger LOG = Diagnostics.logger(CoverageWatch.class);

  /** What is woven so far (the coverage report). */
  public interface Woven {
    boolean llmCalls();

    boolean toolCalls();

    List<String> installed();

    List<String> chokePoints();

    /** Instrumentations switched off or skipped for a class loader, each with why. */
    List<String> notWoven();
  }

  private final Policy policy;
  private final Woven woven;
  private final EnforcementLog log;
  private final AtomicBoolean reported = new AtomicBoolean();
  private volatile boolean covered;

  public CoverageWatch(Policy policy, Woven woven, EnforcementLog log) {
    this.policy = policy;
    this.woven = woven;
    this.log = log;
  }

  /**
   * Checks coverage at a governed call ({@code at}: what was happening). Returns the gap when the call must be
   * refused for it, else null.
   */
  public CoverageGap check(String at) {
    if (covered) {
      return null;
    }
    CoverageGap gap = CoverageGap.of(policy, woven.llmCalls(), woven.toolCalls());
    if (gap == null) {
      covered = true;
      return null;
    }
    if (reported.compareAndSet(false, true)) {
      List<String> points = woven.chokePoints();
      List<String> notWoven = woven.notWoven();
      log.writeDurably(new CoverageGapEvent(gap.missing(), gap.enforced(), gap.reason(), at, woven.installed(),
          points, notWoven));
      LOG.info("WARNING policy {} cannot be enforced here: {}. Woven: {}.{} {}", policy.source(), gap.reason(),
          points.isEmpty() ? "nothing" : String.join("; ", points),
          notWoven.isEmpty() ? "" : " Not woven: " + String.join("; ", notWoven) + ".",
          gap.enforced() ? "Governed calls are refused until it is covered (coverage.require)."
              : "Calls go on ungoverned; add coverage: {require: [" + String.join(", ", gap.missing())
                  + "]} to the policy to refuse them instead.");
    }
    return gap.enforced() ? gap : null;
  }
}
