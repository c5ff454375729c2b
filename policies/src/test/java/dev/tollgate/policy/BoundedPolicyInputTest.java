package dev.tollgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading reads at most the size limit from anything it is pointed at, and never waits on a FIFO. */
class BoundedPolicyInputTest {
  private static String error(Path file) {
    return assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(PolicyException.class, () -> PolicyLoader.load(file)).errors().get(0).toString());
  }

  @Test
  void devZeroIsRefusedAtOnce() {
    assumeTrue(Files.exists(Path.of("/dev/zero")));
    assertEquals("/dev/zero:0:0: cannot read policy file: it is not a regular file (a device, FIFO or socket); give "
        + "the path of a policy file", error(Path.of("/dev/zero")));
  }

  @Test
  void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("policy.yaml");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no mkfifo here");
      return;
    }
    assumeTrue(mkfifo.waitFor() == 0);
    assertEquals(fifo + ":0:0: cannot read policy file: it is not a regular file (a device, FIFO or socket); give "
        + "the path of a policy file", error(fifo));
  }

  @Test
  void aSymlinkToADeviceIsRefusedToo(@TempDir Path dir) throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/zero")));
    Path link = Files.createSymbolicLink(dir.resolve("policy.yaml"), Path.of("/dev/zero"));
    assertEquals(link + ":0:0: cannot read policy file: it is not a regular file (a device, FIFO or socket); give "
        + "the path of a policy file", error(link));
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeParsing(@TempDir Path dir) throws Exception {
    Path big = dir.resolve("big.yaml");
    Files.write(big, new byte[PolicyLoader.MAX_BYTES + 1]);
    assertEquals(big + ":0:0: policy file is too large (1048577 bytes); the limit is 1048576 bytes (1 MiB)", error(big));
  }
}
