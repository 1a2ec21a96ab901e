package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Checks the javadoc jars that {@code package} builds link out as etc/javadoc/README.md says: to
 * the JDK, to sibling modules and to Netty. Javadoc leaves a type it cannot link as plain text
 * without a warning, so a broken offline link would otherwise pass the build unnoticed.
 */
class JavadocJarIT {
  private static String page(String property, String entry) throws IOException {
    String name = System.getProperty(property);
    assertThat(name).as("system property %s (set by failsafe)", property).isNotNull();
    assertThat(Path.of(name)).isRegularFile();
    try (JarFile jar = new JarFile(name)) {
      var e = jar.getJarEntry(entry);
      assertThat(e).as("%s in %s", entry, name).isNotNull();
      try (InputStream in = jar.getInputStream(e)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  @Test
  void transportJavadoc_linksNettyJdkAndSiblings() throws IOException {
    String builder = page("nlb.transport.javadoc.jar", "io/nlb/transport/netty/NettyTransportBuilder.html");
    assertThat(builder)
        .contains("href=\"https://javadoc.io/static/io.netty/netty-transport/")
        .contains("href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/")
        .contains("href=\"https://javadoc.io/static/io.nlb/nlb-metrics-spi/");
  }

  @Test
  void launcherJavadoc_builtAndLinksCore() throws IOException {
    String index = page("nlb.javadoc.jar", "allclasses-index.html");
    assertThat(index).contains("io/nlb/launcher/Launcher.html");
    String launcher = page("nlb.javadoc.jar", "io/nlb/launcher/Launcher.html");
    assertThat(launcher).contains("href=\"https://javadoc.io/static/io.nlb/nlb-core/");
  }
}
