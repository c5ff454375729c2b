package dev.tollgate.agent.installer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of anchors (see {@code InstrumentationModule.anchors()}) as internal names: exact ones, and prefixes (an anchor
 * ending in {@code $}). The {@link TargetIndex} holds every module's; the {@link CachingWeaver} one per module.
 */
final class AnchorNames {
  private final Set<String> exact = new HashSet<>();
  private final List<String> prefixes = new ArrayList<>();

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

  /** Is the class of this internal name one of the anchors, or under one of the prefixes? */
  boolean contains(String internalName) {
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
