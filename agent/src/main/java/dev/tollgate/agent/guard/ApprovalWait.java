package dev.tollgate.agent.guard;

import dev.tollgate.agent.log.EnforcementLog;
import dev.tollgate.policy.event.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A paused call waiting for an operator's answer ({@code on_exceed: pause}), for tool calls and LLM calls alike: the
 * request is appended to the audit journal and logged, then this thread (only this one) waits for {@code approve} or
 * {@code deny} until the request's {@code until}, reading the journal itself every {@link #POLL_MILLIS} ms. When the
 * limit was raised meanwhile (an override, another call's approval) — or, for a windowed limit, at every poll — the
 * call is decided again, and goes on without an answer if it now may ({@code approval.released}).
 */
final class ApprovalWait {
  /** How often a waiting call reads the journal itself (the follower's own poll is slower). */
  static final long POLL_MILLIS = 250;
  /** This JVM, as approval requests name it. */
  static final String JVM = ProcessId.current() + "@"
      + System.getenv().getOrDefault("HOSTNAME", "localhost");

  private ApprovalWait() {}

  /**
   * How the wait ended: the request could not be asked for ({@code notAsked}, why), it was answered ({@code answer}:
   * approve or deny), the call went on without an answer ({@code released}, decided again), or nobody answered in
   * time (all null; {@code approval.timed_out} is written).
   */
  record Outcome<T>(String notAsked, AuditEvent answer, T released) {
    boolean timedOut() {
      return notAsked == null && answer == null && released == null;
    }

    boolean denied() {
      return answer != null && answer.action() == AuditEvent.Action.DENY;
    }
  }

  /**
   * @param version       the adjustments' version: a change means a limit was raised
   * @param everyPoll     decide again at every poll, raised or not (a windowed limit frees room by itself)
   * @param again         decides the call again (the argument: whether a limit was raised); the verdict to go on
   *                      with, or null to keep waiting
   * @param unused        given a verdict of {@code again} that is not used after all (an operator's deny reached the
   *                      journal between this thread's last read and its release): returns what it took where it can
   */
  static <T> Outcome<T> await(AuditFollower follower, EnforcementLog log, AuditEvent request, LongSupplier version,
      boolean everyPoll, Function<Boolean, T> again, java.util.function.Consumer<T> unused) {
    String id = request.id();
    CompletableFuture<AuditEvent> answer = new CompletableFuture<>();
    follower.awaitAnswer(id, answer::complete);
    try {
      follower.journal().append(request);
    } catch (java.io.IOException | RuntimeException e) {
      follower.forget(id);
      return new Outcome<>(String.valueOf(e.getMessage()), null, null);
    }
    log.writeDurably(request);
    AuditEvent got = null;
    long seen = version.getAsLong();
    Instant until = request.until();
    boolean interrupted = false;
    try {
      while (got == null && Instant.now().isBefore(until)) {
        long left = Duration.between(Instant.now(), until).toMillis();
        try {
          got = answer.get(Math.max(1, Math.min(POLL_MILLIS, left)), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          follower.poll();
          got = answer.getNow(null); // an answer read by this poll comes first: it raised the limit itself
          long now = version.getAsLong();
          if (got == null && (now != seen || everyPoll)) {
            boolean raised = now != seen;
            seen = now;
            T decided = again.apply(raised);
            if (decided != null) {
              AuditEvent released = request.answer(AuditEvent.Action.RELEASE, Instant.now(), JVM,
                  raised ? "the limit was raised while the call waited"
                      : "the limit's window had room again while the call waited", null);
              AuditEvent first = null;
              try {
                // unless an operator answered since this thread's last read: the first answer is the call's
                first = follower.journal().appendAnswer(released);
              } catch (java.io.IOException | RuntimeException ignored) {
                // its `until` ends the request for `approvals` anyway
              }
              if (first != null && first.action() == AuditEvent.Action.DENY) {
                unused.accept(decided); // denied after all: what deciding again took goes back
                follower.poll(); // the deny is logged by the follower, as any answer
                follower.forget(id);
                return new Outcome<>(null, answer.getNow(first), null);
              }
              follower.forget(id);
              if (first == null) {
                log.write(released);
              } // else an approval came first (the follower logs and applies it): the call goes on all the same
              return new Outcome<>(null, null, decided);
            }
          }
        }
      }
    } catch (InterruptedException e) {
      interrupted = true; // the host wants this thread back: as if nobody answered (its interrupt is kept, below)
    } catch (ExecutionException e) {
      got = null;
    }
    if (got == null) {
      // with the interrupt not set yet: a file channel refuses an interrupted thread, and the request would stay open
      got = timeOut(follower, log, request, answer);
    }
    follower.forget(id);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return new Outcome<>(null, got, null); // got null: it timed out
  }

  /**
   * Ends the wait unanswered: the timeout is appended unless the call was answered first in the journal (an approve or
   * deny appended after this thread's last read), which every JVM applies; then that answer is the call's, read
   * through the follower so that an approval has raised the limit when the call is decided again. The answer, or
   * null when it timed out.
   */
  private static AuditEvent timeOut(AuditFollower follower, EnforcementLog log, AuditEvent request,
      CompletableFuture<AuditEvent> answer) {
    AuditEvent timedOut = request.answer(AuditEvent.Action.TIMEOUT, Instant.now(), JVM,
        "nobody answered within " + text(Duration.between(request.at(), request.until())), null);
    AuditEvent first = null;
    try {
      first = follower.journal().appendAnswer(timedOut);
    } catch (java.io.IOException | RuntimeException e) {
      // the request's own `until` says it is over: `approvals` no longer lists it
    }
    if (first != null && (first.action() == AuditEvent.Action.APPROVE || first.action() == AuditEvent.Action.DENY)) {
      follower.poll();
      return answer.getNow(first);
    }
    log.writeDurably(timedOut);
    return null;
  }

  /** The refusal's reason when the request could not be appended. */
  static String notAsked(String reason, String why) {
    return reason + "; approval could not be asked for (" + why + ")";
  }

  /** The refusal's reason after the timeout. */
  static String timedOut(String reason, AuditEvent request) {
    return reason + "; nobody approved it within " + text(Duration.between(request.at(), request.until()))
        + " (approval " + request.id() + ")";
  }

  /** The refusal's reason after a deny. */
  static String denied(String reason, AuditEvent request, AuditEvent answer) {
    return reason + "; denied by " + answer.by() + ": " + answer.reason() + " (approval " + request.id() + ")";
  }

  /** A timeout as policies write it: {@code 5m}, {@code 30s}. */
  static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
