package dev.tollgate.agent.installer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** agent.started's pid, read from /proc/self on Linux, is the JDK's own idea of it. */
class AgentStartupPidTest {
  @Test
  void pidIsTheProcessHandlesPid() {
    assertEquals(ProcessHandle.current().pid(), AgentStartup.pid());
  }
}
