package io.nlb.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EmbeddingExampleTest {
  @Test
  void run_tenConnectionsThroughHealthyTargets_answeredAndCounted() throws Exception {
    EmbeddingExample.Result r = EmbeddingExample.run();

    assertThat(r.answers()).hasSize(10).allSatisfy(a -> assertThat(a).isIn("t1", "t2"));
    assertThat(r.newFlowCount()).isEqualTo(10);
    // "hello\n" in, "t1\n" or "t2\n" out, per connection.
    assertThat(r.processedBytes()).isEqualTo(10 * (6 + 3));
  }

  @Test
  void readme_embeddingBlock_isThisFileAfterItsPackageLine() throws IOException {
    List<String> source = ReadmeBlocks.lines(ReadmeBlocks.source("EmbeddingExample"));
    List<String> block = ReadmeBlocks.fencedBlockContaining(ReadmeBlocks.lines(ReadmeBlocks.readme()),
        "public final class EmbeddingExample {");

    assertThat(source.get(0)).startsWith("package ");
    assertThat(ReadmeBlocks.normalize(block)).isEqualTo(ReadmeBlocks.normalize(source.subList(1, source.size())));
  }
}
