package dev.tollgate.policy.args;

/**
 * What one typed matcher made of one argument value.
 *
 * @param result  whether the value matched, did not, or could not be interpreted at all
 * @param account how the matcher read the value, in words ("reads as /etc/passwd, under /etc"); shown by
 *                {@code explain}. It may quote the value (model text), so it never goes into a reason or the log.
 * @param summary the same without the value, only policy text ("is under /etc"): what reasons say
 */
public record Reading(Result result, String account, String summary) {
  public enum Result {
    MATCH, NO_MATCH,
    /** Not a path, not a URL, a command that cannot be split, not a number: deny rules deny, allow rules pass. */
    UNINTERPRETABLE
  }

  static Reading uninterpretable(String account, String what) {
    return new Reading(Result.UNINTERPRETABLE, account, "cannot be read as " + what);
  }

  static Reading of(boolean match, String account, String summary) {
    return new Reading(match ? Result.MATCH : Result.NO_MATCH, account, summary);
  }

  /** True when a rule with this decision counts the reading as a match: deny rules fail closed. */
  public boolean matchesFor(boolean denyRule) {
    return result == Result.MATCH || denyRule && result == Result.UNINTERPRETABLE;
  }
}
