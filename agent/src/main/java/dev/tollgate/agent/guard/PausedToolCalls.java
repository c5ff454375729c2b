package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.Approval;
import dev.tollgate.policy.Limit;
import dev.tollgate.policy.OnExceed;
import dev.tollgate.policy.engine.LimitBreach;
import dev.tollgate.policy.engine.LoggedName;
import dev.tollgate.policy.engine.PolicyEngine;
import dev.tollgate.policy.engine.ToolCall;
import dev.tollgate.policy.engine.ToolVerdict;
import dev.tollgate.policy.event.AuditEvent;
import dev.tollgate.policy.event.LimitExceeded;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tool calls refused by a limit with {@code on_exceed: pause}: the calling thread (only it; other threads and runs go
 * on) asks for approval in the store's audit journal, logs {@code approval.requested} and waits. Approved: the follower
 * raised that limit instance's {@code max_calls}, and the call is decided again. Released: an approval or override
 * raised it meanwhile, or the limit's window moved on, so that deciding it again lets it through. Denied, or nobody
 * answered within {@code approval.timeout}: refused, or the run halted ({@code on_timeout: halt}).
 */
final class PausedToolCalls {
  /** How often a waiting call reads the journal itself (the follower's own poll is slower). */
  private static final long POLL_MILLIS = 250;
  /** Most approvals one call waits for (each round another limit, or a slot taken by a racing call meanwhile). */
  private static final int MAX_ROUNDS = 8;
  private static final String JVM = ProcessHandle.current().pid() + "@"
      + System.getenv().getOrDefault("HOSTNAME", "localhost");

  /** The engine in force (a policy reload swaps it). */
  private final java.util.function.Supplier<PolicyEngine> engines;
  private final AuditFollower follower;
  private final EnforcementLog log;

  PausedToolCalls(java.util.function.Supplier<PolicyEngine> engines, AuditFollower follower, EnforcementLog log) {
    this.engines = engines;
    this.follower = follower;
    this.log = log;
  }

  /** {@code v} if it does not pause, else what waiting for approval came to (decided again, or refused). */
  ToolVerdict await(ToolVerdict v, ToolCall call) {
    for (int round = 0; round < MAX_ROUNDS && v.paused() != null; round++) {
      Waited w = awaitOnce(v, call);
      v = w.verdict();
      if (!w.askedAgain()) {
        break; // denied, timed out or not asked: the approval decided, the call does not wait again
      }
    }
    return v;
  }

  private record Waited(ToolVerdict verdict, boolean askedAgain) {}

  private Waited awaitOnce(ToolVerdict v, ToolCall call) {
    LimitBreach b = v.paused();
    PolicyEngine engine = engines.get();
    Limit limit = engine.limit(b.limit());
    Approval approval = limit.approval();
    String tool = LoggedName.of(call.tool() == null ? "" : call.tool());
    if (b.first()) {
      // written here because the verdict the host finally gets is another one (approved, denied, timed out)
      log.writeDurably(new LimitExceeded(b.limit(), v.rule(), scope(limit), b.maxCalls(), null,
          b.window() == null ? null : b.window().toString(), b.partition(), "pause", true, tool, call.framework(),
          null, call.runId(), null));
    }
    String id = AuditEvent.newId();
    Instant now = Instant.now();
    Instant until = now.plus(approval.timeout());
    String onTimeout = approval.onTimeout().name().toLowerCase(Locale.ROOT);
    AuditEvent request = new AuditEvent(AuditEvent.Action.REQUEST, id, now, b.limit(), "limit", scope(limit),
        b.partition(), b.instance(), JVM, v.reason(), null, null, null, null, null, until, call.runId(),
        call.session(), null, null, onTimeout, tool, null, 1L);
    CompletableFuture<AuditEvent> answer = new CompletableFuture<>();
    follower.awaitAnswer(id, answer::complete);
    try {
      follower.journal().append(request);
    } catch (java.io.IOException | RuntimeException e) {
      follower.forget(id);
      return new Waited(v.refusedBy(v.rule(), v.reason() + "; approval could not be asked for (" + e.getMessage()
          + ")", false), false);
    }
    log.writeDurably(request);
    AuditEvent got = null;
    long seen = engine.adjustments().version();
    try {
      while (got == null && Instant.now().isBefore(until)) {
        long left = Duration.between(Instant.now(), until).toMillis();
        try {
          got = answer.get(Math.max(1, Math.min(POLL_MILLIS, left)), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          follower.poll();
          got = answer.getNow(null); // an answer read by this poll comes first: it raised the limit itself
          long version = engine.adjustments().version();
          if (got == null && (version != seen || limit.window() != null)) {
            // raised meanwhile (an override, another call's approval), or the window moved on: decide again
            boolean raised = version != seen;
            seen = version;
            ToolVerdict again = engines.get().decide(call);
            if (again.proceeds() || again.paused() == null || !again.paused().limit().equals(b.limit())) {
              follower.forget(id);
              AuditEvent released = request.answer(AuditEvent.Action.RELEASE, Instant.now(), JVM,
                  raised ? "the limit was raised while the call waited"
                      : "the limit's window had room again while the call waited", null);
              try {
                follower.journal().append(released);
              } catch (java.io.IOException | RuntimeException ignored) {
                // its `until` ends the request for `approvals` anyway
              }
              log.write(released);
              return new Waited(again, true);
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the host wants this thread back: as if nobody answered
    } catch (ExecutionException e) {
      got = null;
    }
    follower.forget(id);
    String rule = engine.policy().rulePrefix(limit.name()) + "limits[" + limit.index() + "].approval";
    if (got == null) {
      AuditEvent timedOut = request.answer(AuditEvent.Action.TIMEOUT, Instant.now(), JVM,
          "nobody answered within " + text(approval.timeout()), null);
      try {
        follower.journal().append(timedOut);
      } catch (java.io.IOException | RuntimeException e) {
        // the request's own `until` says it is over: `approvals` no longer lists it
      }
      log.writeDurably(timedOut);
      return new Waited(v.refusedBy(rule + ".on_timeout", v.reason() + "; nobody approved it within "
          + text(approval.timeout()) + " (approval " + id + ")", approval.onTimeout() == OnExceed.HALT), false);
    }
    if (got.action() == AuditEvent.Action.DENY) {
      return new Waited(v.refusedBy(rule, v.reason() + "; denied by " + got.by() + ": " + got.reason()
          + " (approval " + id + ")", false), false);
    }
    return new Waited(engine.decide(call), true);
  }

  private static String scope(Limit limit) {
    return limit.scope().name().toLowerCase(Locale.ROOT);
  }

  private static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
