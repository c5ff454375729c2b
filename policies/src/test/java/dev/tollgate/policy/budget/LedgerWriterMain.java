package dev.tollgate.policy.budget;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;

/** Child process for {@code FileLedgerKillTest}: records forever, printing how many records returned. */
public final class LedgerWriterMain {
  private LedgerWriterMain() {}

  public static void main(String[] args) throws Exception {
    FileLedger ledger = FileLedger.open(Path.of(args[0]), Clock.systemUTC(), ZoneOffset.UTC, 500);
    for (long i = 1; ; i++) {
      ledger.record("daily", "tenant", "kill-test", 3, 1); // not a date: never pruned, whatever the real clock says
      if (i % 50 == 0) {
        System.out.println(i);
        System.out.flush();
      }
    }
  }
}
