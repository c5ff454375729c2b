package dev.tollgate.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pid read from /proc/self on Linux is the JDK's own idea of it. */
class ProcessIdTest {
  @Test
  void isTheProcessHandlesPid() {
    assertEquals(ProcessHandle.current().pid(), ProcessId.current());
  }
}
