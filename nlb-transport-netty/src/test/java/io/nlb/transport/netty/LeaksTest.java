package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The leak hook the 2,000-connection test relies on really sees a leaked buffer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaksTest {
  @Test
  void leakedBuffer_isReported() {
    org.junit.jupiter.api.Assumptions.assumeTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
        "the build runs tests with -Dio.netty.leakDetection.level=PARANOID");
    Leaks.install();
    int mark = Leaks.mark();
    leak();
    List<String> leaks = List.of();
    for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
      leaks = Leaks.since(mark);
    }
    assertThat(leaks).isNotEmpty();
    assertThat(leaks.get(0)).contains("ByteBuf");
  }

  private static void leak() {
    ByteBuf b = ByteBufAllocator.DEFAULT.buffer(64);
    b.writeInt(42);
    // dropped without release()
  }
}
