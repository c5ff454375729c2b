package dev.tollgate.policy.event;

import java.util.List;

/**
 * A changed policy could not be loaded: the running policy stays. Each error is {@code file:line:column: message}.
 *
 * @param files  the files whose change was noticed
 * @param errors the loader's located errors
 */
public record PolicyErrorEvent(List<String> files, List<String> errors) implements LogEvent {
  public static final String NAME = "policy.error";

  public PolicyErrorEvent {
    files = LogEvent.copy(files);
    errors = LogEvent.copy(errors);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void write(Fields out) {
    out.put("files", files).put("errors", errors).put("kept", "the running policy stays in force");
  }

  static PolicyErrorEvent read(Line l) {
    return new PolicyErrorEvent(l.texts("files"), l.texts("errors"));
  }
}
