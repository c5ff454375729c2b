package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.Diagnostics;
import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyChanges;
import dev.tollgate.policy.budget.LlmGovernor;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.event.PolicyErrorEvent;
import dev.tollgate.policy.event.PolicyReloaded;
import dev.tollgate.policy.store.BudgetStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Reload without restart: thread {@code tollgate-policy-watch} looks at the app's policy file and the governance
 * directory every {@link #POLL_MILLIS} ms (their contents, not only their times: an editor may keep the mtime, a copy
 * may land in the same second). A change that loads is swapped in at once ({@code policy.reloaded}); one that does not
 * keeps the running policy ({@code policy.error} and the located errors on stderr), and is looked at again only when
 * the files change again.
 */
public final class PolicyWatcher {
  private static final Logger LOG = Diagnostics.logger(PolicyWatcher.class);
  /** How often the files are looked at: a change is in force within two polls and a load. */
  static final long POLL_MILLIS = 500;

  /** Loads the policy as the agent enforces it, or throws with the located lines. */
  @FunctionalInterface
  public interface Loader {
    Policy load() throws Failure;
  }

  /** A change that could not be loaded: the loader's located lines. */
  public static final class Failure extends Exception {
    private final List<String> lines;

    public Failure(List<String> lines) {
      super(String.join("\n", lines), null, false, false);
      this.lines = List.copyOf(lines);
    }
  }

  private final Path policyFile;
  private final Path governanceDir;
  private final Loader loader;
  private final PolicyGuard guard;
  private final EnforcementLog log;
  private final Clock clock;
  private final BudgetStore fleet;
  private volatile Map<Path, String> seen;

  /**
   * @param governanceDir the governance directory, or null
   * @param stampsAtLoad  {@link PolicyFiles#stamps} taken before the running policy was read, or null: if the files' stamps
   *                      differ now, they changed after that read (the guard's set-up, which makes this watcher, may
   *                      begin well after premain read them) and the first look reloads
   */
  public PolicyWatcher(Path policyFile, Path governanceDir, Loader loader, PolicyGuard guard, EnforcementLog log,
      Clock clock, BudgetStore fleet, Map<Path, String> stampsAtLoad) {
    this.policyFile = policyFile;
    this.governanceDir = governanceDir;
    this.loader = loader;
    this.guard = guard;
    this.log = log;
    this.clock = clock;
    this.fleet = fleet;
    // changed since premain read them: no baseline, so the first look reloads (their digests would be thrown away).
    // The digests are read before the stamps are compared: read after, an edit between the two would become the
    // baseline while the policy in force is the one before it, and that edit would never be loaded.
    Map<Path, String> digests = fingerprints();
    this.seen = stampsAtLoad == null || stampsAtLoad.equals(PolicyFiles.stamps(policyFile, governanceDir))
        ? digests : Map.of();
  }

  public void start() {
    Thread t = new Thread(this::loop, "tollgate-policy-watch");
    t.setDaemon(true);
    t.start();
  }


  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(POLL_MILLIS);
        check();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | LinkageError e) {
        dev.tollgate.bootstrap.Guard.suppressed(e); // the watcher never takes the app down; counted and tested zero
      }
    }
  }

  /** Looks once: reloads when the files changed since the last look. */
  void check() {
    Map<Path, String> now = fingerprints();
    Map<Path, String> before = seen;
    if (now.equals(before)) {
      return;
    }
    seen = now;
    List<String> changedFiles = new ArrayList<>();
    for (Map.Entry<Path, String> e : now.entrySet()) {
      if (!Objects.equals(before.get(e.getKey()), e.getValue())) {
        changedFiles.add(e.getKey().toString());
      }
    }
    for (Path p : before.keySet()) {
      if (!now.containsKey(p)) {
        changedFiles.add(p.toString());
      }
    }
    Policy next;
    try {
      next = loader.load();
    } catch (Failure f) {
      log.writeDurably(new PolicyErrorEvent(changedFiles, f.lines));
      System.err.println("[tollgate] the changed policy was not loaded; the running policy stays in force:");
      for (String line : f.lines) {
        System.err.println("[tollgate] " + line);
      }
      return;
    }
    PolicyEngine running = guard.engine();
    Policy current = running.policy();
    PolicyEngine engine = new PolicyEngine(next, clock, fleet, running.adjustments(), running);
    LlmGovernor governor = guard.governor();
    guard.reload(engine, governor == null ? null : governor.reloaded(next));
    List<String> changes = PolicyChanges.changes(current, next);
    List<String> restart = PolicyChanges.restartNeeded(current, next);
    log.writeDurably(new PolicyReloaded(changedFiles, changes, PolicyChanges.carried(current, next), restart));
    LOG.info("policy reloaded from {}: {}", String.join(", ", changedFiles),
        changes.isEmpty() ? "no change in force" : String.join("; ", changes));
    if (!restart.isEmpty()) {
      LOG.warn("changed policy keys {} apply only at the next start", restart);
    }
  }

  /** Each watched file's content digest ("" when it cannot be read: a missing file is a change too). */
  private Map<Path, String> fingerprints() {
    return PolicyFiles.digests(policyFile, governanceDir);
  }
}
