package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.RouteDecision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
  void readme_quickStartBlock_isTheCompiledExampleWithItsImports() throws IOException {
    List<String> source = ReadmeBlocks.lines(ReadmeBlocks.source("QuickStart"));
    List<String> block = ReadmeBlocks.fencedBlockContaining(ReadmeBlocks.lines(ReadmeBlocks.readme()), BEGIN);

    List<String> expected = new ArrayList<>(ReadmeBlocks.imports(source));
    expected.add(BEGIN);
    expected.addAll(ReadmeBlocks.between(source, BEGIN, END));
    expected.add(END);
    assertThat(ReadmeBlocks.normalize(block)).isEqualTo(ReadmeBlocks.normalize(expected));
  }

  @Test
  void quickStartBlock_hasNoReturn_soItCompilesPastedIntoMain() throws IOException {
    List<String> body = ReadmeBlocks.between(ReadmeBlocks.lines(ReadmeBlocks.source("QuickStart")), BEGIN, END);

    assertThat(body).noneMatch(l -> l.strip().startsWith("return"));
  }
}
