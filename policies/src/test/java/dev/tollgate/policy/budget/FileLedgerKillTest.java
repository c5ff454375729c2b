package dev.tollgate.policy.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real {@code kill -9} of a JVM writing the ledger: every record that returned is there on reload. */
class FileLedgerKillTest {
  @Test
  void killNineLosesAtMostTheRecordInFlight(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LedgerWriterMain.class.getName(), dir.toString()).redirectErrorStream(true).start();
    long confirmed = 0;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        confirmed = Long.parseLong(line.trim());
        if (confirmed >= 3000) {
          child.destroyForcibly(); // SIGKILL on Linux and macOS: no shutdown hooks, no finally blocks
          break;
        }
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(confirmed >= 3000, "the child never got going: " + confirmed);
    try (FileLedger ledger = FileLedger.open(dir, Clock.systemUTC(), ZoneOffset.UTC)) {
      Totals t = ledger.load("daily", "tenant", "kill-test");
      assertTrue(t.tokens() >= confirmed, t + " lost records that had returned (" + confirmed + ")");
      assertEquals(3 * t.tokens(), t.nanos(), "no half record counted");
      assertTrue(ledger.tornLines() <= 1);
    }
  }
}
