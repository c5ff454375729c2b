package dev.tollgate.agent.cli.report;

import dev.tollgate.policy.event.JsonLine;
import java.io.IOException;
import java.util.Map;

/** Reads one log line into plain values through the event catalog's {@link JsonLine}. */
final class EventReader {
  private EventReader() {}

  /** The line as a map; throws when it is not one JSON object. */
  static Map<String, Object> read(String line) throws IOException {
    return JsonLine.parse(line);
  }
}
