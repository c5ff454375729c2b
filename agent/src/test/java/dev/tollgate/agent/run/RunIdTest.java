package dev.tollgate.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Run ids: well-formed version-4 UUIDs, never repeated within a process, even when threads race. */
class RunIdTest {
  @Test
  void runIdsAreDistinctVersion4UuidsAcrossRacingThreads() {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    IntStream.range(0, 200_000).parallel().forEach(i -> ids.add(Runs.newRunId()));
    assertEquals(200_000, ids.size());
    for (String id : List.copyOf(ids).subList(0, 1000)) {
      UUID uuid = UUID.fromString(id);
      assertEquals(4, uuid.version(), id);
      assertEquals(2, uuid.variant(), id);
      assertEquals(id, uuid.toString());
    }
    Set<String> beginIds = new HashSet<>();
    Runs runs = new Runs(run -> { });
    for (int i = 0; i < 100; i++) {
      RunState run = runs.begin("test");
      assertTrue(beginIds.add(run.id()), "a new id for every run");
      runs.end(run);
    }
  }
}
