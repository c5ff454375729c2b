package dev.tollgate.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a policy file says about itself rather than about calls: the keys a governance file locks ({@code lock:}), the
 * fail mode it sets ({@code fail_mode:}), and where each lockable key is set, so that a clash names both places.
 *
 * @param lock     locked keys, of {@link #LOCKABLE}, in file order
 * @param failMode {@code fail_mode:} ({@code open} or {@code closed}), or null when the file does not set it
 * @param setAt    lockable key ({@code mode}, {@code fail-mode}, {@code profile}) to {@code line:column} of where this
 *                 file sets it; keys the file does not set are absent
 */
public record Header(List<String> lock, String failMode, Map<String, String> setAt) {
  /** The keys {@code lock:} may name. */
  public static final List<String> LOCKABLE = List.of("mode", "fail-mode", "profile");
  /** A policy built in code: locks nothing, sets nothing. */
  public static final Header NONE = new Header(List.of(), null, Map.of());

  public Header {
    lock = List.copyOf(lock);
    setAt = Collections.unmodifiableMap(new LinkedHashMap<>(setAt));
  }

  /** Equal when they lock the same keys and set the same fail mode; where keys are set is provenance, like a source. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Header h && lock.equals(h.lock) && java.util.Objects.equals(failMode, h.failMode);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(lock, failMode);
  }

}
