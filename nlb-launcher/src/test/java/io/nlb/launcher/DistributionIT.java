package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code package} builds (path from failsafe as {@code nlb.dist}): unpacked
 * with tar, {@code bin/nlb validate} and {@code bin/nlb run} on loopback, the status endpoint
 * answering, then a stop by PID (SIGTERM).
 */
@Timeout(180)
class DistributionIT {
  private static Path unpack(Path dir) throws Exception {
    String name = System.getProperty("nlb.dist");
    assertThat(name).as("system property nlb.dist (set by failsafe)").isNotNull();
    Path dist = Path.of(name);
    assertThat(dist).isRegularFile();
    Process tar = new ProcessBuilder("tar", "-xzf", dist.toString(), "-C", dir.toString()).redirectErrorStream(true).start();
    assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).as(new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    try (Stream<Path> top = Files.list(dir)) {
      List<Path> roots = top.toList();
      assertThat(roots).hasSize(1);
      assertThat(roots.get(0).getFileName().toString()).startsWith("nlb-launcher-");
      return roots.get(0);
    }
  }

  private record Run(int exit, String output) {}

  private static Run nlb(Path home, String... args) throws Exception {
    ProcessBuilder pb = command(home, args);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  private static ProcessBuilder command(Path home, String... args) {
    return command(home, Map.of("NLB_JAVA_OPTS", "-Xms64m -Xmx128m"), args); // a small heap on a shared build machine
  }

  private static ProcessBuilder command(Path home, Map<String, String> env, String... args) {
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(home.resolve("bin/nlb").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    return pb;
  }

  private static Run nlb(Path home, Map<String, String> env, String... args) throws Exception {
    Process p = command(home, env, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  /** Whether a JVM of {@code v} has {@code -XX:TrimNativeHeapInterval} (17.0.9+, 21.0.1+, 22+), as {@code bin/nlb} decides. */
  static boolean trimsNativeHeap(Runtime.Version v) {
    int update = v.update() + (v.interim() > 0 ? 1 : 0);
    return v.feature() >= 22 || (v.feature() == 21 && update >= 1) || (v.feature() == 17 && update >= 9);
  }

  /** The final value of one JVM flag in {@code -XX:+PrintFlagsFinal} output. */
  private static String flag(String printFlagsFinal, String name) {
    Matcher m = Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+=\\s+(\\S+)").matcher(printFlagsFinal);
    assertThat(m.find()).as("flag %s in the JVM's flags", name).isTrue();
    return m.group(1);
  }

  private static int get(int port, String path, StringBuilder body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    int code = c.getResponseCode();
    try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
      if (in != null) {
        body.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    c.disconnect();
    return code;
  }

  @Test
  void layout_scriptJarConfigSchemaUnit(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    assertThat(Files.getPosixFilePermissions(home.resolve("bin/nlb"))).contains(PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.OTHERS_EXECUTE);
    assertThat(home.resolve("lib/nlb-launcher.jar")).isRegularFile();
    assertThat(home.resolve("conf/nlb.yaml")).isRegularFile();
    assertThat(home.resolve("conf/nlb-launcher.schema.json")).isRegularFile();
    assertThat(home.resolve("README.md")).isRegularFile();
    assertThat(Files.readString(home.resolve("systemd/nlb.service"))).contains("ExecStart=/opt/nlb/bin/nlb run /etc/nlb/nlb.yaml")
        .contains("ExecReload=/bin/kill -HUP $MAINPID").contains("RestartPreventExitStatus=2");
    assertThat(Files.readString(home.resolve("bin/nlb"))).contains("NLB_JAVA_OPTS").contains("-Xss").contains("-Xshare:auto");
  }

  @Test
  void validateThenRun_onLoopback_statusAnswers_stopsOnSigterm(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Run version = nlb(home, "--version");
    assertThat(version.exit()).isZero();
    assertThat(version.output()).contains("nlb-launcher " + home.getFileName().toString().substring("nlb-launcher-".length()));

    Run sample = nlb(home, "validate", home.resolve("conf/nlb.yaml").toString());
    assertThat(sample.exit()).as(sample.output()).isZero();
    assertThat(sample.output()).contains("ok (1 load balancers, 1 listeners, 1 target groups)");

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "loadBalancers: [{name: lb, listeners: [{protocol: TCP, port: 70000, targetGroup: web}]}]\n");
    Run refused = nlb(home, "validate", bad.toString());
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.output()).contains("loadBalancers[0].listeners[0].port: 70000 (expected: 1-65535)");

    int statusPort = Loopback.freePort();
    int listenerPort = Loopback.freePort();
    Path config = dir.resolve("nlb.yaml");
    Files.writeString(config, """
        transport: {ioMode: NIO, threads: 1, shutdownTimeoutSeconds: 2}
        healthChecks: false
        status: {port: %d}
        targetGroups:
          - {name: web, protocol: TCP, port: 9001, targetType: ip, targets: [{id: 127.0.0.1, port: 9001}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(statusPort, listenerPort));
    Path log = dir.resolve("nlb.log");
    Process p = command(home, "run", config.toString()).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> get(statusPort, "/healthz", new StringBuilder()) == 200);
      StringBuilder status = new StringBuilder();
      assertThat(get(statusPort, "/status.json", status)).isEqualTo(200);
      assertThat(status.toString()).contains("\"name\" : \"local\"").contains("TCP zone-a 127.0.0.1:" + listenerPort);
      StringBuilder metrics = new StringBuilder();
      assertThat(get(statusPort, "/metrics", metrics)).isEqualTo(200);

      p.destroy(); // SIGTERM to the JVM: bin/nlb exec'd it, so the script's PID is the JVM's
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    } finally {
      p.destroyForcibly();
    }
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d{4} \\[.*"
        + " INFO io\\.nlb\\.launcher\\.Launcher - local listening on TCP zone-a 127\\.0\\.0\\.1:" + listenerPort));
    assertThat(lines).anySatisfy(l -> assertThat(l).contains("io.nlb.launcher.Launcher - stopped in"));
    assertThat(String.join("\n", lines)).doesNotContain("io.nlb.audit");
  }

  /**
   * {@code bin/nlb} starts the JVM with two glibc malloc arenas ({@code MALLOC_ARENA_MAX=2}: a
   * smaller resident set) unless the environment names its own number. Read back from a stand-in
   * {@code java} in a {@code JAVA_HOME} of the test's, which prints what it got.
   */
  @Test
  void mallocArenas_twoByDefault_environmentWins(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Path javaHome = dir.resolve("fake-jdk");
    Path fakeJava = javaHome.resolve("bin/java");
    Files.createDirectories(fakeJava.getParent());
    Files.writeString(fakeJava, "#!/bin/sh\necho \"arenas=${MALLOC_ARENA_MAX:-unset}\"\n");
    Files.setPosixFilePermissions(fakeJava, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

    Run defaults = nlb(home, Map.of("JAVA_HOME", javaHome.toString()), "--version");
    assertThat(defaults.exit()).as(defaults.output()).isZero();
    assertThat(defaults.output()).contains("arenas=2");

    Run own = nlb(home, Map.of("JAVA_HOME", javaHome.toString(), "MALLOC_ARENA_MAX", "4"), "--version");
    assertThat(own.output()).contains("arenas=4");
  }

  /**
   * {@code bin/nlb} adds {@code -XX:TrimNativeHeapInterval=1000} only for a JVM whose release file
   * names a version that has the flag (an older one would refuse to start): stand-in JDKs of each
   * version print the flags they got.
   */
  @Test
  void nativeHeapTrim_onlyForJvmsThatHaveIt(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Map<String, Boolean> versions = Map.of("17.0.8", false, "17.0.9", true, "17.0.15", true, "18.0.2", false,
        "21", false, "21.0.1", true, "22", true, "25.0.1", true, "11.0.22", false);
    for (Map.Entry<String, Boolean> v : versions.entrySet()) {
      Path javaHome = dir.resolve("jdk-" + v.getKey());
      Path fakeJava = javaHome.resolve("bin/java");
      Files.createDirectories(fakeJava.getParent());
      Files.writeString(javaHome.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + v.getKey() + "\"\n");
      Files.writeString(fakeJava, "#!/bin/sh\necho \"flags: $*\"\n");
      Files.setPosixFilePermissions(fakeJava, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      Run run = nlb(home, Map.of("JAVA_HOME", javaHome.toString(), "NLB_CDS", "off"), "--version");
      assertThat(run.exit()).as(run.output()).isZero();
      if (v.getValue()) {
        assertThat(run.output()).as(v.getKey()).contains("-XX:TrimNativeHeapInterval=1000");
      } else {
        assertThat(run.output()).as(v.getKey()).contains("-Xss512k").doesNotContain("TrimNativeHeapInterval");
      }
    }
    assertThat(trimsNativeHeap(Runtime.Version.parse("17.0.9"))).isTrue();
    assertThat(trimsNativeHeap(Runtime.Version.parse("17.0.8"))).isFalse();
  }

  /**
   * The flags of {@code bin/nlb} reach the JVM (read back with {@code -XX:+PrintFlagsFinal}), a flag
   * in {@code NLB_JAVA_OPTS} wins over the default it contradicts, and {@code NLB_JVM_DEFAULTS}
   * replaces the defaults.
   */
  @Test
  void jvmFlags_reachTheJvm_nlbJavaOptsWins_defaultsReplaceable(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    Run defaults = nlb(home, Map.of("NLB_JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--version");
    assertThat(defaults.exit()).as(defaults.output()).isZero();
    assertThat(flag(defaults.output(), "MaxHeapSize")).isEqualTo(String.valueOf(256L << 20));
    assertThat(flag(defaults.output(), "InitialHeapSize")).isEqualTo(String.valueOf(256L << 20));
    assertThat(flag(defaults.output(), "UseG1GC")).isEqualTo("true");
    assertThat(flag(defaults.output(), "MaxGCPauseMillis")).isEqualTo("20");
    assertThat(flag(defaults.output(), "MaxNewSize")).isEqualTo(String.valueOf(32L << 20));
    assertThat(flag(defaults.output(), "ThreadStackSize")).isEqualTo("512");
    assertThat(flag(defaults.output(), "MaxDirectMemorySize")).isEqualTo(String.valueOf(1L << 30));
    assertThat(flag(defaults.output(), "ExitOnOutOfMemoryError")).isEqualTo("true");
    if (trimsNativeHeap(Runtime.version())) {
      // glibc's freed memory (the JIT's bursts) handed back once a second; a JVM without the flag is not given it
      assertThat(flag(defaults.output(), "TrimNativeHeapInterval")).isEqualTo("1000");
      Run noTrim = nlb(home, Map.of("NLB_JAVA_OPTS", "-XX:TrimNativeHeapInterval=0 -XX:+PrintFlagsFinal"), "--version");
      assertThat(flag(noTrim.output(), "TrimNativeHeapInterval")).isEqualTo("0");
    }
    Run properties = nlb(home, Map.of("NLB_JAVA_OPTS", "-XshowSettings:properties"), "--version");
    assertThat(properties.output()).contains("io.netty.leakDetection.level = disabled");
    Run leakOn = nlb(home, Map.of("NLB_JAVA_OPTS", "-XshowSettings:properties -Dio.netty.leakDetection.level=simple"), "--version");
    assertThat(leakOn.output()).contains("io.netty.leakDetection.level = simple").doesNotContain("io.netty.leakDetection.level = disabled");

    Run override = nlb(home, Map.of("NLB_JAVA_OPTS", "-Xms64m -Xmx96m -Xss1m -XX:+PrintFlagsFinal"), "--version");
    assertThat(override.exit()).as(override.output()).isZero();
    assertThat(flag(override.output(), "MaxHeapSize")).isEqualTo(String.valueOf(96L << 20));
    assertThat(flag(override.output(), "ThreadStackSize")).isEqualTo("1024");
    assertThat(flag(override.output(), "UseG1GC")).isEqualTo("true"); // the other defaults stay

    Run replaced = nlb(home, Map.of("NLB_JVM_DEFAULTS", "-XX:+UseSerialGC", "NLB_JAVA_OPTS", "-Xmx64m -XX:+PrintFlagsFinal"),
        "--version");
    assertThat(replaced.exit()).as(replaced.output()).isZero();
    assertThat(flag(replaced.output(), "UseSerialGC")).isEqualTo("true");
    assertThat(flag(replaced.output(), "MaxGCPauseMillis")).isNotEqualTo("20");
    assertThat(flag(replaced.output(), "ExitOnOutOfMemoryError")).isEqualTo("false");
  }

  /**
   * The distribution as a user starts it ({@code bin/nlb run}, no {@code transport.ioMode}): AUTO
   * picks io_uring where it loads (the library sets Netty's multishot POLL_ADD off, which makes it
   * correct on Netty 4.2.18; epoll of that release is skipped for its half-close bug), else NIO, and
   * says so in the log and in {@code /status.json}; the shaded jar's merged version file lets the
   * native transports load. The first run leaves a class-data archive in {@code lib/cds}, and the
   * next JVM maps it ({@code -Xshare:on} refuses to start otherwise).
   */
  @Test
  void run_autoIoMode_reported_thenAppCdsArchiveUsed(@TempDir Path dir) throws Exception {
    Path home = unpack(dir);
    int statusPort = Loopback.freePort();
    int listenerPort = Loopback.freePort();
    Path config = dir.resolve("nlb.yaml");
    Files.writeString(config, """
        transport: {threads: 1, shutdownTimeoutSeconds: 1}
        healthChecks: false
        status: {port: %d}
        targetGroups:
          - {name: web, protocol: TCP, port: 9001, targetType: ip, targets: [{id: 127.0.0.1, port: 9001}]}
        loadBalancers:
          - name: local
            zones: [{name: zone-a, addresses: [127.0.0.1], targetRanges: [127.0.0.0/8]}]
            listeners: [{protocol: TCP, port: %d, targetGroup: web}]
        """.formatted(statusPort, listenerPort));
    String expected = NettyTransport.isAvailable(IoMode.IO_URING) ? "IO_URING" : "NIO";
    Path log = dir.resolve("nlb.log");
    Process p = command(home, "run", config.toString()).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> get(statusPort, "/healthz", new StringBuilder()) == 200);
      StringBuilder status = new StringBuilder();
      assertThat(get(statusPort, "/status.json", status)).isEqualTo(200);
      assertThat(status.toString()).contains("\"ioMode\" : \"" + expected + "\"");
      assertThat(Files.readString(log)).contains("I/O mode " + expected + " (AUTO;");
      if (expected.equals("IO_URING")) {
        assertThat(Files.readString(log)).contains("I/O mode IO_URING (AUTO; io_uring available)");
      }
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    List<Path> archives;
    try (Stream<Path> files = Files.list(home.resolve("lib/cds"))) {
      archives = files.toList();
    }
    assertThat(archives).singleElement().satisfies(a -> {
      assertThat(a.getFileName().toString()).matches("nlb-\\d+\\.jsa");
      assertThat(Files.size(a)).isGreaterThan(100_000L);
    });
    Run mapped = nlb(home, Map.of("NLB_JAVA_OPTS", "-Xms64m -Xmx128m -Xshare:on -XX:+PrintCommandLineFlags"), "--version");
    assertThat(mapped.exit()).as(mapped.output()).isZero();
    assertThat(mapped.output()).contains("-XX:SharedArchiveFile=" + archives.get(0));
    Run off = nlb(home, Map.of("NLB_CDS", "off", "NLB_JAVA_OPTS", "-Xms64m -Xmx128m -XX:+PrintCommandLineFlags"), "--version");
    assertThat(off.output()).doesNotContain("SharedArchiveFile");
  }
}
