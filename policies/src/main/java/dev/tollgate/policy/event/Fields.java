package dev.tollgate.policy.event;

/**
 * Where an event writes its fields, in the order they appear on the line. The log writer turns them into JSON; a null
 * value is left out. Values: String, Integer, Long, Double, Boolean, {@link Digest}, a {@link Written} object, or a
 * List / Map of these.
 */
public interface Fields {
  Fields put(String name, Object value);

  /** A USD amount kept in nano-dollars, written as a USD number (null stays null). */
  default Fields usd(String name, Long nanos) {
    return put(name, nanos == null ? null : Usd.of(nanos));
  }
}
