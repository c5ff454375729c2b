package dev.tollgate.agent.instrumentation.springai.v1_0;

import java.util.List;

/** The helper classes of streaming runs, by name: the agent itself must never load them. */
final class StreamingRunHelpers {
  private static final String RUN = StreamingRunHelpers.class.getPackageName() + ".StreamingRun";

  static final List<String> NAMES = List.of(RUN, RUN + "$Holder", RUN + "$Carrier", RUN + "$Tracked",
      RUN + "$RunSubscriber");

  private StreamingRunHelpers() {}
}
