package dev.tollgate.agent.guard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This JVM's process id, for {@code agent.started} and for the approval requests that name this JVM. On Linux it is
 * the name {@code /proc/self} links to (what {@code getpid} returns), read without {@code ProcessHandle}: its class
 * initialisation sets up the JDK's process reaper, 4–5 ms of the agent's CPU during the app's start. Elsewhere, or
 * when that link cannot be read, {@code ProcessHandle}'s.
 */
public final class ProcessId {
  private ProcessId() {}

  public static long current() {
    try {
      return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
    } catch (IOException | RuntimeException e) {
      return ProcessHandle.current().pid();
    }
  }
}
