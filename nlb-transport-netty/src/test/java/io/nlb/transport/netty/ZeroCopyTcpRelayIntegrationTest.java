package io.nlb.transport.netty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.Consumer;

/**
 * {@link TcpRelayIntegrationTest} with zero copy on: every test runs on EPOLL with {@code splice(2)} relaying
 * plain TCP flows (the other modes ignore the option and are covered by the parent).
 */
class ZeroCopyTcpRelayIntegrationTest extends TcpRelayIntegrationTest {
  @Override
  void assumeHalfCloseWorks(IoMode mode) {
    Harness.assumeHalfCloseWorks(mode, true);
  }

  @Override
  Harness harness(IoMode mode, Consumer<NettyTransportBuilder> custom) {
    assumeTrue(mode == IoMode.EPOLL, "zero copy applies to EPOLL only");
    Harness h = new Harness(mode, custom.andThen(b -> b.zeroCopy(true)));
    if (!h.transport.zeroCopy()) {
      h.close();
      throw new AssertionError("zeroCopy: false (expected: true on EPOLL)");
    }
    return h;
  }
}
