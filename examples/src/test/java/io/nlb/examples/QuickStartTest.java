package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.RouteDecision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  private static final String BEGIN = "// --- quick start (README) ---";
  private static final String END = "// --- end quick start ---";

  @Test
  void run_twoZonesCrossZoneOff_routesToZoneATarget() {
    RouteDecision d = QuickStart.run();

    assertThat(d.outcome()).isEqualTo(RouteDecision.Outcome.ROUTED);
    assertThat(d.address().orElseThrow().getAddress().getHostAddress()).isIn("10.0.1.10", "10.0.1.11");
    assertThat(d.address().orElseThrow().getPort()).isEqualTo(8080);
  }

  @Test
  void readme_quickStartBlock_isTheCompiledExample() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    Path source = root.resolve("src/main/java/io/nlb/examples/QuickStart.java");
    Path readme = root.resolve("../README.md").normalize();

    String fromSource = normalize(between(Files.readAllLines(source, StandardCharsets.UTF_8)));
    String fromReadme = normalize(between(Files.readAllLines(readme, StandardCharsets.UTF_8)));

    assertThat(fromReadme).isNotBlank().isEqualTo(fromSource);
  }

  private static List<String> between(List<String> lines) {
    int from = -1;
    int to = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(BEGIN)) {
        from = i + 1;
      } else if (lines.get(i).trim().equals(END)) {
        to = i;
      }
    }
    assertThat(from).as("start marker").isPositive();
    assertThat(to).as("end marker").isGreaterThan(from);
    return lines.subList(from, to);
  }

  /** Compares code, not indentation: the README block is not nested in a method. */
  private static String normalize(List<String> lines) {
    return lines.stream().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
  }
}
