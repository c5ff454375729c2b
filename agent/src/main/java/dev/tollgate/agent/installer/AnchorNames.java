package dev.tollgate.agent.installer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of anchors (see {@code InstrumentationModule.anchors()}) as internal names: exact ones, and prefixes (an anchor
 * ending in {@code $}). The {@link TargetIndex} holds every module's; the {@link CachingWeaver} one per module.
 */
final class AnchorNames {
  private final Set<String> exact = new HashSet<>();
  /** Each ends with {@code $}. */
  private final Set<String> prefixes = new HashSet<>();

  /** {@code anchors}: binary class names; a name ending in {@code $} is a prefix. */
  AnchorNames(List<String> anchors) {
    for (String a : anchors) {
      String internal = a.replace('.', '/');
      if (internal.endsWith("$")) {
        prefixes.add(internal);
      } else {
        exact.add(internal);
      }
    }
  }

  /**
   * Is the class of this internal name one of the anchors, or under one of the prefixes? Every prefix ends with
   * {@code $}, so one starts the name exactly when it is one of the name's own {@code $}-ended beginnings: a set
   * look-up per {@code $} in the name, none for most names (the gate asks for every class the app loads, and a
   * {@code startsWith} per prefix and name was 14 000 calls per Quarkus start).
   */
  boolean contains(String internalName) {
    if (exact.contains(internalName)) {
      return true;
    }
    return !prefixes.isEmpty() && hasBeginningIn(internalName, '$', prefixes);
  }

  /**
   * Is one of {@code name}'s own beginnings that end with {@code separator} (the separator included) in
   * {@code beginnings}? When every element of {@code beginnings} ends with {@code separator}, this is "does one of
   * them start {@code name}", answered with a set look-up per separator in the name instead of a {@code startsWith}
   * per element. Also {@link TargetIndex#skippedPackage}'s test, by {@code /}.
   */
  static boolean hasBeginningIn(String name, char separator, Set<String> beginnings) {
    for (int at = name.indexOf(separator); at >= 0; at = name.indexOf(separator, at + 1)) {
      if (beginnings.contains(name.substring(0, at + 1))) {
        return true;
      }
    }
    return false;
  }

  /** {@link #contains} by the prefixes one by one (the tests' reference). */
  boolean containsByPrefixes(String internalName) {
    if (exact.contains(internalName)) {
      return true;
    }
    for (String p : prefixes) {
      if (internalName.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Is the class of this internal name, or one of its {@code supertypes}, one of the anchors? */
  boolean reachedBy(String internalName, java.util.Collection<String> supertypes) {
    if (contains(internalName)) {
      return true;
    }
    for (String s : supertypes) {
      if (contains(s)) {
        return true;
      }
    }
    return false;
  }
}
