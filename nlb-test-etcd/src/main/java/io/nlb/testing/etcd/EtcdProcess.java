package io.nlb.testing.etcd;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd server for tests (nlb-cluster's and nlb-launcher's): one member, ephemeral ports, its
 * data in a directory the test gives (kept across {@link #kill()} and {@link #restart()}), short
 * election timings so that leases of 1 s are allowed. Signalled and killed by its PID only, never
 * left running.
 *
 * <p>The binary is {@code $NLB_ETCD}, else {@code etcd} on the {@code PATH} (Debian's {@code
 * etcd-server} package, which CI installs); {@link #binary()} is empty when there is none.
 *
 * <p>Not thread-safe: one test drives it.
 */
public final class EtcdProcess implements AutoCloseable {
  /** The reason tests give when they skip for want of etcd. */
  public static final String MISSING = "no etcd binary on this machine (install Debian's etcd-server, or set NLB_ETCD)";

  private static final Duration READY_WITHIN = Duration.ofSeconds(20);

  private final Path binary;
  private final Path dataDir;
  private final String host;
  private final int clientPort;
  private final int peerPort;
  private Process process;

  private EtcdProcess(Path binary, Path dataDir, String host, int clientPort, int peerPort) throws IOException {
    this.binary = binary;
    this.dataDir = dataDir;
    this.host = host;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.process = launch();
  }

  /** {@return the etcd binary, if this machine has one} */
  public static Optional<Path> binary() {
    String env = System.getenv("NLB_ETCD");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin:/usr/local/bin" : path).split(File.pathSeparator)) {
      Path p = Path.of(dir, "etcd");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts etcd on loopback and waits until it answers.
   *
   * @param dataDir an empty directory for its data (a test's temporary directory)
   * @return the running server
   * @throws IOException when it cannot be started or does not become healthy
   */
  public static EtcdProcess start(Path dataDir) throws IOException {
    return start(dataDir, "127.0.0.1");
  }

  /**
   * Starts etcd listening on {@code host} (an address of this machine: loopback, or a test's own
   * veth address) and waits until it answers.
   *
   * @param dataDir an empty directory for its data
   * @param host the address to listen on
   * @return the running server
   * @throws IOException when it cannot be started or does not become healthy
   */
  public static EtcdProcess start(Path dataDir, String host) throws IOException {
    Path bin = binary().orElseThrow(() -> new IllegalStateException(MISSING));
    EtcdProcess p = new EtcdProcess(bin, dataDir, host, freePort(), freePort());
    p.awaitReady();
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Process launch() throws IOException {
    String client = "http://" + host + ":" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> cmd = List.of(binary.toString(), "--name", "test", "--data-dir", dataDir.resolve("member-data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "test=" + peer, "--heartbeat-interval", "50",
        "--election-timeout", "500", "--logger", "zap", "--log-level", "warn");
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("etcd.log").toFile())).start();
  }

  private void awaitReady() throws IOException {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build();
    HttpRequest req = HttpRequest.newBuilder(endpoint().resolve("/health")).timeout(Duration.ofSeconds(1)).GET().build();
    try {
      await("etcd healthy at " + endpoint()).atMost(READY_WITHIN).pollInterval(Duration.ofMillis(50)).until(() -> {
        if (!process.isAlive()) {
          throw new IOException("etcd exited with " + process.exitValue() + "; see " + dataDir.resolve("etcd.log") + ":\n"
              + Files.readString(dataDir.resolve("etcd.log")));
        }
        try {
          HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
          return res.statusCode() == 200 && res.body().contains("true");
        } catch (IOException e) {
          return false; // not listening yet
        }
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new IOException("etcd did not become healthy within " + READY_WITHIN.toSeconds() + " s; see " + dataDir.resolve("etcd.log"), e);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  /** {@return the client URL} */
  public URI endpoint() {
    return URI.create("http://" + host + ":" + clientPort);
  }

  /** {@return the process id of the running server} */
  public long pid() {
    return process.pid();
  }

  /**
   * Freezes the server with SIGSTOP (by its PID): its sockets stay open but nothing answers, as a
   * host that hangs. {@link #resume()} undoes it.
   */
  public void pause() {
    signal("STOP");
  }

  /** Lets a {@linkplain #pause() paused} server run again (SIGCONT). */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling etcd", e);
    }
  }

  /**
   * Kills the server with SIGKILL (by its PID) and waits for it to exit; its data stays.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void kill() throws InterruptedException {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Starts the server again on the same ports and data, and waits until it answers.
   *
   * @throws IOException when it cannot be started or does not become healthy
   * @throws InterruptedException when interrupted while stopping the old process
   */
  public void restart() throws IOException, InterruptedException {
    if (process.isAlive()) {
      kill();
    }
    process = launch();
    awaitReady();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
