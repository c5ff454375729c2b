package dev.tollgate.policy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} process on a free 127.0.0.1 port, for tests of the fleet store: never a mock.
 *
 * <p>The binary is {@code $TOLLGATE_REDIS_SERVER} when set, else the Redis 6.2 linux-amd64 build shipped inside the
 * {@code com.github.codemonstur:embedded-redis} jar on the test class path (extracted once to the temp directory),
 * else {@code redis-server} on the PATH. Set-up stays JDK and Maven.
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final String BUNDLED = "/redis-server-6.2.6-v5-linux-amd64";

  private final Path binary;
  private final Path dir;
  private final int port;
  private final boolean persistent;
  private Process process;

  private RedisServerProcess(Path binary, Path dir, int port, boolean persistent) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.persistent = persistent;
  }

  /** Starts a server without persistence. */
  public static RedisServerProcess start() throws IOException {
    return start(false);
  }

  /** Starts a server; {@code persistent}: append-only file in its own directory, so a restart keeps the data. */
  public static RedisServerProcess start(boolean persistent) throws IOException {
    RedisServerProcess server = new RedisServerProcess(binary(), Files.createTempDirectory("tollgate-redis"),
        freePort(), persistent);
    server.startProcess();
    return server;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** Kills the server at once (SIGKILL): nothing is saved. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
      process = null;
    }
  }

  /** Starts the server again on the same port (with its data when persistent). */
  public void restart() throws IOException {
    if (process == null) {
      startProcess();
    }
  }

  /** Stops it with SIGSTOP for {@code pause}: every command waits that long (a slow Redis). */
  public void freeze() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start().waitFor();
  }

  public void thaw() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-CONT", Long.toString(process.pid())).start().waitFor();
  }

  /** Sends one command in RESP and returns the raw reply (for test set-up and checks without a client). */
  public String command(String... words) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5000);
      StringBuilder b = new StringBuilder().append('*').append(words.length).append("\r\n");
      for (String w : words) {
        byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
        b.append('$').append(bytes.length).append("\r\n").append(w).append("\r\n");
      }
      socket.getOutputStream().write(b.toString().getBytes(StandardCharsets.UTF_8));
      byte[] buf = new byte[65536];
      int n = socket.getInputStream().read(buf);
      return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      process = null;
    }
  }

  private void startProcess() throws IOException {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port), "--bind",
        "127.0.0.1", "--protected-mode", "no", "--dir", dir.toString(), "--save", ""));
    command.addAll(persistent ? List.of("--appendonly", "yes", "--appendfsync", "always")
        : List.of("--appendonly", "no"));
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (command("PING").startsWith("+PONG")) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      if (!process.isAlive()) {
        throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
    throw new IOException("redis-server did not answer PING on port " + port);
  }

  private static synchronized Path binary() throws IOException {
    String configured = System.getenv("TOLLGATE_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    try (InputStream in = RedisServerProcess.class.getResourceAsStream(BUNDLED)) {
      if (in != null) {
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "tollgate-redis-server-6.2.6");
        if (!Files.isExecutable(target)) {
          Path tmp = Files.createTempFile("redis-server", ".tmp");
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          tmp.toFile().setExecutable(true);
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
      }
    }
    return Path.of("redis-server");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
