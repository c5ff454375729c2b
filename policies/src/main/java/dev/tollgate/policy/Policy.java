package dev.tollgate.policy;

import java.util.List;

/**
 * A loaded, validated policy. Immutable.
 *
 * @param source   the file name the policy came from (as given to the loader), for messages
 * @param version  the language version; only 1 exists
 * @param mode     enforce or monitor
 * @param tools    tool allow/deny rules
 * @param limits   call limits, in file order; names are unique
 * @param log      enforcement-log settings
 */
public record Policy(String source, int version, Mode mode, ToolRules tools, List<Limit> limits, LogSettings log) {
  public Policy {
    limits = List.copyOf(limits);
  }
}
