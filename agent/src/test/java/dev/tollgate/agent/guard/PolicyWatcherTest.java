package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Policy;
import dev.tollgate.policy.PolicyException;
import dev.tollgate.policy.PolicyLoader;
import dev.tollgate.policy.engine.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher is made by the guard's set-up, which may begin well after premain read the policy (at the first
 * governed call, or once the app's start-up is over): a change made in between must not be taken as the baseline.
 */
class PolicyWatcherTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
  private static final String DENY_NOTHING = "version: 1\ntools:\n  deny: []\n";
  private static final String DENY_SHELL = "version: 1\ntools:\n  deny: [\"shell_*\"]\n";

  @TempDir
  Path dir;

  private PolicyWatcher watcher(Path file, PolicyGuard guard, EnforcementLog log, Map<Path, String> stamps) {
    return new PolicyWatcher(file, null, () -> {
      try {
        return PolicyLoader.load(file);
      } catch (PolicyException e) {
        throw new PolicyWatcher.Failure(List.of(e.getMessage()));
      }
    }, guard, log, CLOCK, null, stamps);
  }

  private static PolicyGuard guard(Policy running, EnforcementLog log) {
    return new PolicyGuard(new PolicyEngine(running, CLOCK), log, false);
  }

  @Test
  void aChangeMadeAfterPremainReadThePolicyIsReloadedAtTheFirstLook() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), DENY_NOTHING);
    Map<Path, String> stamps = PolicyFiles.stamps(file, null); // premain, before it reads
    Policy running = PolicyLoader.load(file);
    Files.writeString(file, DENY_SHELL); // before the guard's set-up made the watcher
    try (EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), CLOCK)) {
      PolicyGuard guard = guard(running, log);
      watcher(file, guard, log, stamps).check();
      assertEquals(List.of("shell_*"), guard.engine().policy().tools().deny());
      log.drainAndWriteSynchronously();
    }
    assertTrue(Files.readString(dir.resolve("log.jsonl")).contains("\"policy.reloaded\""));
  }

  @Test
  void noChangeSincePremainMeansNoReload() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), DENY_NOTHING);
    Map<Path, String> stamps = PolicyFiles.stamps(file, null);
    Policy running = PolicyLoader.load(file);
    try (EnforcementLog log = EnforcementLog.open(dir.resolve("log.jsonl"), CLOCK)) {
      PolicyGuard guard = guard(running, log);
      watcher(file, guard, log, stamps).check();
      assertEquals(List.of(), guard.engine().policy().tools().deny());
      log.drainAndWriteSynchronously();
    }
    Path written = dir.resolve("log.jsonl");
    assertTrue(!Files.exists(written) || !Files.readString(written).contains("\"policy.reloaded\""));
  }

  @Test
  void theStampIsTheTimeAndTheSize() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.yaml"), DENY_NOTHING);
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000));
    Map<Path, String> before = PolicyFiles.stamps(file, null);
    Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000)); // touched: same bytes, a new time
    assertTrue(!before.equals(PolicyFiles.stamps(file, null)));
    Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000));
    assertEquals(before, PolicyFiles.stamps(file, null));
  }
}
