package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the executable jar that {@code package} builds (its path comes from failsafe as
 * {@code nlb.launcher.jar}).
 */
class ExecutableJarIT {
  private static Path jar() {
    String name = System.getProperty("nlb.launcher.jar");
    assertThat(name).as("system property nlb.launcher.jar (set by failsafe)").isNotNull();
    Path jar = Path.of(name);
    assertThat(jar).isRegularFile();
    return jar;
  }

  /**
   * Every Netty jar brings its own {@code META-INF/io.netty.versions.properties}; shading used to
   * keep only the first (netty-buffer's), so the native transports' version check found no entry
   * for themselves.
   */
  @Test
  void nettyVersions_listEveryNettyJar_nativeTransportsIncluded() throws Exception {
    Properties versions = new Properties();
    try (JarFile file = new JarFile(jar().toFile());
        InputStream in = file.getInputStream(file.getJarEntry("META-INF/io.netty.versions.properties"))) {
      versions.load(in);
    }
    String common = versions.getProperty("netty-common.version");
    assertThat(common).isNotNull().endsWith(".Final");
    assertThat(versions)
        .containsEntry("netty-buffer.version", common)
        .containsEntry("netty-transport.version", common)
        .containsEntry("netty-transport-native-epoll.version", common)
        .containsEntry("netty-transport-native-io_uring.version", common)
        .containsKey("netty-transport-native-epoll.longCommitHash")
        .containsKey("netty-transport-native-io_uring.longCommitHash");
  }

  @Test
  void logging_timestampsOnAndAuditQuiet() throws Exception {
    Properties logging = new Properties();
    try (JarFile file = new JarFile(jar().toFile());
        InputStream in = file.getInputStream(file.getJarEntry("simplelogger.properties"))) {
      logging.load(in);
    }
    assertThat(logging).containsEntry("org.slf4j.simpleLogger.showDateTime", "true")
        .containsEntry("org.slf4j.simpleLogger.log.io.nlb.audit", "warn")
        .containsKey("org.slf4j.simpleLogger.dateTimeFormat");
  }

  @Test
  void manifest_namesTheLauncherAsMainClass() throws Exception {
    try (JarFile file = new JarFile(jar().toFile())) {
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Launcher.class.getName());
      assertThat(file.getJarEntry(Launcher.class.getName().replace('.', '/') + ".class")).isNotNull();
      assertThat(Files.size(jar())).isGreaterThan(1_000_000L);
    }
  }

  /**
   * A file with one TCP listener and no status page, health checks or TLS loads none of what only
   * those need: the Prometheus registry (only {@code /metrics} reads it), the HTTPS health checks'
   * TLS client context, the platform MXBeans (the descriptor limit comes from /proc), nor picocli
   * ({@code run FILE} needs no parsing). Each of these was resident in every launcher before
   * (about 20 MiB together at start; docs/performance.md).
   */
  @Test
  @Timeout(90)
  void plainTcpFile_loadsNoClassOfAbsentFeatures(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = a.getLocalPort();
    }
    Path config = dir.resolve("nlb.yaml");
    Files.writeString(config, CliTest.config(port)); // one TCP listener, NIO, no health checks, no status page
    Path classes = dir.resolve("classes.log");
    Path log = dir.resolve("nlb.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xlog:class+load=info:file=" + classes, "-jar", jar().toString(), "run", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive() || Files.readString(log).contains("listening on"));
      assertThat(p.isAlive()).as("launcher running; its output: %s", Files.readString(log)).isTrue();
    } finally {
      p.destroy(); // SIGTERM: the launcher closes and exits
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    List<String> loaded = Files.readAllLines(classes);
    assertThat(loaded).as("class+load log").anyMatch(l -> l.contains("io.nlb.launcher.Launcher "));
    for (String prefix : List.of("io.micrometer.", "io.prometheus.", "picocli.", "sun.security.ssl.", "io.netty.handler.ssl.",
        "java.lang.management.")) {
      assertThat(loaded).as("classes of %s", prefix).noneMatch(l -> l.contains("] " + prefix));
    }
  }
}
