package dev.tollgate.policy.event;

/** A value the log writes as a JSON object: an event, or an object nested in one. */
public interface Written {
  void write(Fields out);
}
