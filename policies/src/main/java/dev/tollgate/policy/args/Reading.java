package dev.tollgate.policy.args;

/**
 * What one typed matcher made of one argument value.
 *
 * @param result  whether the value matched, did not, or could not be interpreted at all
 * @param account how the matcher read the value, in words ("/workspace/../etc/passwd is /etc/passwd, under
 *                /etc"); shown by {@code explain} and in the reasons of denials. Quotes model text, so it is
 *                never logged unless the policy asks for arguments.
 */
public record Reading(Result result, String account) {
  public enum Result {
    MATCH, NO_MATCH,
    /** Not a path, not a URL, a command that cannot be split, not a number: deny rules deny, allow rules pass. */
    UNINTERPRETABLE
  }

  static Reading match(String account) {
    return new Reading(Result.MATCH, account);
  }

  static Reading noMatch(String account) {
    return new Reading(Result.NO_MATCH, account);
  }

  static Reading uninterpretable(String account) {
    return new Reading(Result.UNINTERPRETABLE, account);
  }

  static Reading of(boolean match, String account) {
    return new Reading(match ? Result.MATCH : Result.NO_MATCH, account);
  }

  /** True when a rule with this decision counts the reading as a match: deny rules fail closed. */
  public boolean matchesFor(boolean denyRule) {
    return result == Result.MATCH || denyRule && result == Result.UNINTERPRETABLE;
  }
}
