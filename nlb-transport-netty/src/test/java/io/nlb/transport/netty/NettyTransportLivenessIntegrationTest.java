package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link NettyTransport#liveness()}: empty while serving; dead event loops and closed listeners named. */
@Timeout(60)
class NettyTransportLivenessIntegrationTest {
  static Stream<IoMode> modes() {
    return Harness.modes();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void liveness_servingThenLoopsDeadThenClosed(IoMode mode) throws Exception {
    Harness h = new Harness(mode);
    try {
      h.group("web", Protocol.TCP);
      int port = Harness.freePort();
      LoadBalancer lb = h.lb("live", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo("web").build());
      assertThat(h.transport.bindings(lb)).isNotEmpty();
      assertThat(h.transport.liveness().problems()).isEmpty();
      assertThat(h.transport.liveness().isLive()).isTrue();

      h.transport.group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);

      // NIO closes the listening socket with its loop; epoll and io_uring may leave it open, unserved.
      assertThat(h.transport.liveness().problems())
          .contains("event loop 0: terminated", "event loop 1: terminated")
          .anySatisfy(p -> assertThat(p).isIn("live TCP zone-a 127.0.0.1:" + port + ": not accepting (socket closed)",
              "live TCP zone-a 127.0.0.1:" + port + ": not accepting (its event loop stopped)"));
    } finally {
      h.close();
    }
    assertThat(h.transport.liveness().problems()).containsExactly("transport: closed");
  }
}
