package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code nlb} command line: commands, options, exit codes. */
@Timeout(60)
class CliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int nlb(String... args) {
    return Cli.execute(args, new CountDownLatch(0), new PrintWriter(out, true), new PrintWriter(err, true));
  }

  /** A file with one TCP listener on {@code listenerPort}, NIO, no health checks, no status page. */
  static String config(int listenerPort) {
    return """
        transport: {ioMode: NIO}
        healthChecks: false
        targetGroups:
          - {name: web, protocol: TCP, port: 9001, targetType: ip, targets: [{id: 127.0.0.1, port: 9001}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(listenerPort);
  }

  @Test
  void help_printsCommandsAndExitCodes_notTakenForAFile() {
    assertThat(nlb("--help")).isEqualTo(Cli.OK);
    assertThat(out.toString()).contains("Usage: nlb", "run", "validate", "--version", "Exit codes:", "2   bad configuration file");
    assertThat(err.toString()).doesNotContain("config:");
  }

  @Test
  void runHelp_describesRun() {
    assertThat(nlb("run", "--help")).isEqualTo(Cli.OK);
    assertThat(out.toString()).contains("Usage: nlb run", "CONFIG", "SIGHUP");
  }

  @Test
  void version_printsLauncherNettyAndJava() {
    assertThat(nlb("--version")).isEqualTo(Cli.OK);
    assertThat(out.toString()).startsWith("nlb-launcher ").contains("Netty 4.", "Java " + Runtime.version().feature());
  }

  @Test
  void noCommand_usageOnStandardError_exitTwo() {
    assertThat(nlb()).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("Missing command", "Usage: nlb");
  }

  @Test
  void unknownOption_exitTwo() {
    assertThat(nlb("run", "--colour", "x.yaml")).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("--colour");
  }

  @Test
  void validate_goodFile_exitZeroAndSummary(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(8080));
    assertThat(nlb("validate", file.toString())).isEqualTo(Cli.OK);
    assertThat(out.toString()).contains(file + ": ok (1 load balancers, 1 listeners, 1 target groups)");
  }

  @Test
  void validate_badFile_everyProblemWithItsPath_exitTwo_bindsNothing(@TempDir Path dir) throws Exception {
    int port = Loopback.freePort();
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(port).replace("ioMode: NIO", "ioMode: FAST").replace("port: 9001, targetType", "port: 0, targetType"));
    assertThat(nlb("validate", file.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString().lines()).anySatisfy(l -> assertThat(l).startsWith("transport.ioMode: \"FAST\""))
        .anySatisfy(l -> assertThat(l).startsWith("targetGroups[0]"));
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }

  @Test
  void validate_missingFile_exitTwo(@TempDir Path dir) {
    assertThat(nlb("validate", dir.resolve("absent.yaml").toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("absent.yaml (expected: a readable YAML or JSON file)");
  }

  @Test
  void validate_twoGibibyteFile_refusedUnread_exitTwo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("huge.yaml");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(2L << 30); // sparse: takes no disk
    }
    long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(nlb("validate", file.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains(file + ": larger than 1048576 bytes (expected: a configuration file of at most 1048576 bytes");
    long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    assertThat(after - before).isLessThan(256L << 20);
    assertThat(nlb("run", file.toString())).isEqualTo(Cli.BAD_CONFIG);
  }

  @Test
  void maxConfigBytes_option_lowersTheLimit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(8080));
    assertThat(nlb("validate", "--max-config-bytes", "100", file.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("larger than 100 bytes");
    assertThat(nlb("validate", "--max-config-bytes", "100000", file.toString())).isEqualTo(Cli.OK);
  }

  @Test
  void shortForm_fileAlone_runs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "loadBalancers: 3\n");
    assertThat(nlb(file.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("loadBalancers: NUMBER (expected: a list)");
  }

  @Test
  void run_portTaken_exitOne(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = dir.resolve("nlb.yaml");
      Files.writeString(file, config(taken.getLocalPort()));
      assertThat(nlb("run", file.toString())).isEqualTo(Cli.FAILED);
      assertThat(err.toString()).contains("loadBalancer[local]");
    }
  }

  @Test
  void run_goodFile_servesUntilStopped_thenReleasesThePort(@TempDir Path dir) throws Exception {
    int port = Loopback.freePort();
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(port));
    CountDownLatch stop = new CountDownLatch(1);
    ExecutorService runner = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> code = runner.submit(() -> Cli.execute(new String[] {"run", file.toString()}, stop,
          new PrintWriter(out, true), new PrintWriter(err, true)));
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
          return true;
        }
      });
      stop.countDown();
      assertThat(code.get(30, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    } finally {
      runner.shutdownNow();
    }
  }

  @Test
  void plainRun_onlyRunAndOneFile_withoutPicocli() {
    assertThat(Cli.plainRun(new String[] {"run", "nlb.yaml"})).isEqualTo(Path.of("nlb.yaml"));
    assertThat(Cli.plainRun(new String[] {"run", "--help"})).isNull();
    assertThat(Cli.plainRun(new String[] {"run", "@args.txt"})).isNull();
    assertThat(Cli.plainRun(new String[] {"run", ""})).isNull();
    assertThat(Cli.plainRun(new String[] {"run", "--max-config-bytes", "100", "nlb.yaml"})).isNull();
    assertThat(Cli.plainRun(new String[] {"validate", "nlb.yaml"})).isNull();
    assertThat(Cli.plainRun(new String[] {"run"})).isNull();
    assertThat(Cli.plainRun(new String[] {"run", "bad\0path"})).isNull();
  }

  @Test
  void run_withOption_stillParsedByPicocli(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nlb.yaml");
    Files.writeString(file, config(Loopback.freePort()));
    assertThat(nlb("run", "--max-config-bytes", "100", file.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("larger than 100 bytes");
  }

  @Test
  void run_missingFile_exitTwo_sameAsValidate(@TempDir Path dir) {
    Path missing = dir.resolve("missing.yaml");
    assertThat(nlb("run", missing.toString())).isEqualTo(Cli.BAD_CONFIG);
    assertThat(err.toString()).contains("config: " + missing + " (expected: a readable YAML or JSON file)");
  }
}
