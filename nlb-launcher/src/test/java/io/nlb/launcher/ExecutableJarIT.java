package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

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
}
