package dev.tollgate.policy.budget;

import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;

/** Child JVM for the lock tests: tries to open the ledger in {@code args[0]} and says whether it could. */
public final class LedgerOpenMain {
  private LedgerOpenMain() {}

  public static void main(String[] args) {
    try (FileLedger ledger = FileLedger.open(Path.of(args[0]), Clock.systemUTC(), ZoneOffset.UTC)) {
      System.out.println("opened");
    } catch (Exception e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
