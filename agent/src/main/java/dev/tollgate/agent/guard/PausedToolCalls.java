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
import java.time.Instant;
import java.util.Locale;

/**
 * Tool calls refused by a limit with {@code on_exceed: pause}: the calling thread (only it; other threads and runs go
 * on) asks for approval in the store's audit journal, logs {@code approval.requested} and waits. Approved: the follower
 * raised that limit instance's {@code max_calls}, and the call is decided again. Released: an approval or override
 * raised it meanwhile, or the limit's window moved on, so that deciding it again lets it through. Denied, or nobody
 * answered within {@code approval.timeout}: refused, or the run halted ({@code on_timeout: halt}).
 */
final class PausedToolCalls {
  /** Most approvals one call waits for (each round another limit, or a slot taken by a racing call meanwhile). */
  private static final int MAX_ROUNDS = 8;
  private static final String JVM = ApprovalWait.JVM;

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
    if (limit == null || limit.onExceed() != OnExceed.PAUSE || limit.approval() == null) {
      // a reload since the call was decided dropped the limit or its pause: the policy in force decides it
      return new Waited(engine.decide(call), true);
    }
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
    ApprovalWait.Outcome<ToolVerdict> o = ApprovalWait.await(follower, log, request, engine.adjustments()::version,
        limit.window() != null, raised -> {
          ToolVerdict again = engines.get().decide(call);
          return again.proceeds() || again.paused() == null || !again.paused().limit().equals(b.limit()) ? again : null;
        }, unused -> { }); // a tool call's slot is not given back: the limit counts one call too many, the safe side
    if (o.notAsked() != null) {
      return new Waited(v.refusedBy(v.rule(), ApprovalWait.notAsked(v.reason(), o.notAsked()), false), false);
    }
    if (o.released() != null) {
      return new Waited(o.released(), true);
    }
    String rule = engine.policy().rulePrefix(limit.name()) + "limits[" + limit.index() + "].approval";
    if (o.timedOut()) {
      return new Waited(v.refusedBy(rule + ".on_timeout", ApprovalWait.timedOut(v.reason(), request),
          approval.onTimeout() == OnExceed.HALT), false);
    }
    if (o.denied()) {
      return new Waited(v.refusedBy(rule, ApprovalWait.denied(v.reason(), request, o.answer()), false), false);
    }
    return new Waited(engines.get().decide(call), true);
  }

  private static String scope(Limit limit) {
    return limit.scope().name().toLowerCase(Locale.ROOT);
  }

}
