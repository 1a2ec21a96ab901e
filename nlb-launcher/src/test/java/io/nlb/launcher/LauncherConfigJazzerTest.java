package io.nlb.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing (Jazzer) of the launcher's configuration parser, each input read both as
 * YAML and as JSON. The property: a document yields a configuration, or a {@link
 * LauncherConfig.ConfigException} whose every problem names where it is ({@code "path: ..."}) —
 * never another exception (no NullPointerException, ClassCastException, InvalidPathException...).
 * Relative file names resolve against {@code nlb-launcher/config/}, so the seeds (the example files
 * there, and their JSON forms) load the demo certificate. In a normal test run the committed
 * corpus replays ({@code src/test/resources/io/nlb/launcher/LauncherConfigJazzerTestInputs/});
 * with {@code JAZZER_FUZZ=1} it fuzzes (command in the README's reliability section).
 */
class LauncherConfigJazzerTest {
  private static final Path BASE = Path.of("config").toAbsolutePath();

  @FuzzTest(maxDuration = "10m")
  void parse_anyDocument_configOrConfigException(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    for (boolean json : new boolean[] {false, true}) {
      try {
        LauncherConfig config = LauncherConfig.parse(text, json, BASE, "");
        assertThat(config.transport()).isNotNull();
      } catch (LauncherConfig.ConfigException e) {
        assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).matches("(?s)[^\\n]*\\S: .*\\S.*"));
      }
    }
  }

  private static String tlsListener(String chain, String key) {
    return "{\"loadBalancers\": [{\"name\": \"lb\", \"listeners\": [{\"protocol\": \"TLS\", \"port\": 443, \"targetGroup\": \"web\","
        + " \"certificate\": {\"certificateChain\": \"" + chain + "\", \"privateKey\": \"" + key + "\"}}]}]}";
  }

  /** A file name the platform cannot use (NUL) was an InvalidPathException out of the parser; now a problem of its key. */
  @Test
  void parse_certificateFileNameNotAPath_problemOfItsKey() {
    for (boolean json : new boolean[] {false, true}) {
      assertThatThrownBy(() -> LauncherConfig.parse(tlsListener("chain\\u0000.pem", "key.pem"), json, BASE, ""))
          .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems())
              .anySatisfy(p -> assertThat(p).startsWith("loadBalancers[0].listeners[0].certificate.certificateChain: \"chain\0.pem\": ")
                  .contains("(expected: a readable PEM file")));
    }
  }

  /** A certificate file is read only up to 1 MiB: a huge "regular file" (/proc/kcore) is refused unread. */
  @Test
  void parse_certificateFileOverOneMebibyte_refused(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("big.pem"), new byte[(1 << 20) + 1]);
    Files.writeString(dir.resolve("key.pem"), "x");
    assertThatThrownBy(() -> LauncherConfig.parse(tlsListener("big.pem", "key.pem"), true, dir, ""))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).contains(
            "loadBalancers[0].listeners[0].certificate.certificateChain: \"big.pem\": larger than 1024 KiB"
                + " (expected: a PEM file of at most 1024 KiB)"));
  }

  /** Found by this target in 72 s: a key with a line break broke its problem over several lines. */
  @Test
  void parse_keyWithLineBreak_problemStaysOneLine() {
    assertThatThrownBy(() -> LauncherConfig.parseYaml("targetGroups:\n  - {name: web, protocol: TCP, port: 80, \"he\\nalth\": 1}\n"
        + "status: {\"a\\tb\": 1, port: 1}\n"))
        .isInstanceOfSatisfying(LauncherConfig.ConfigException.class, e -> assertThat(e.problems()).contains(
            "targetGroups[0].he\\u000aalth: unknown key (expected: one of [attributes, healthCheck, ipAddressType, name, port, protocol, tags,"
                + " targetType, targets])",
            "status.a\\u0009b: unknown key (expected: one of [address, port])"));
  }
}
