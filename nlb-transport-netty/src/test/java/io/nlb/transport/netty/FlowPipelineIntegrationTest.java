package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pipeline of a real flow on loopback, once per I/O mode (and with zero copy on epoll): once
 * the target is connected, route-and-connect has removed itself, the relay pair is the only handler
 * of each connection and the idle timeout is on its event loop's wheel.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowPipelineIntegrationTest {
  private Harness h;
  private final Targets targets = new Targets();

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  static Stream<Arguments> cases() {
    Stream<Arguments> copy = Harness.modes().map(m -> Arguments.of(m, false));
    return NettyTransport.isAvailable(IoMode.EPOLL) ? Stream.concat(copy, Stream.of(Arguments.of(IoMode.EPOLL, true))) : copy;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void connectedFlow_routeAndConnectRemovedItself_relayPairOnly_idleTimeoutOnTheWheel(IoMode mode, boolean zeroCopy)
      throws Exception {
    h = new Harness(mode, b -> b.zeroCopy(zeroCopy));
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("tg", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-pipeline", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    try (Socket s = TcpRelayIntegrationTest.connect(port)) {
      assertThat(new String(TcpRelayIntegrationTest.roundTrip(s, "ping"), java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("ping");
      await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.flows(lb).size() == 1);
      TcpFlow f = (TcpFlow) h.transport.flows(lb).iterator().next();
      Channel client = f.clientChannel();
      Channel target = f.target;
      Class<?> relay = zeroCopy ? SpliceRelay.class : CopyRelay.class;
      ChannelPipeline cp = client.eventLoop().submit(client::pipeline).get();
      assertThat(client.eventLoop().submit(() -> cp.get(RouteAndConnect.class)).get()).isNull();
      assertThat(client.eventLoop().submit(() -> cp.get(RouteAndConnect.NAME)).get()).isInstanceOf(relay);
      assertThat(client.eventLoop().submit(() -> target.pipeline().get("nlb-target")).get()).isInstanceOf(relay);
      // One handler per connection: the idle timeout and the buffer watch are called by the relay
      // sides, not pipeline entries (each would cost every idle flow two handler contexts).
      assertThat(client.eventLoop().submit(() -> List.copyOf(cp.toMap().keySet())).get())
          .containsExactly(RouteAndConnect.NAME);
      assertThat(client.eventLoop().submit(() -> List.copyOf(target.pipeline().toMap().keySet())).get())
          .containsExactly("nlb-target");
      assertThat(client.eventLoop().submit(() -> f.idle != null && f.idle.held()).get())
          .as("the idle timeout is held by the event loop's wheel").isTrue();
      assertThat(target.eventLoop()).as("the target connection on the client's event loop").isSameAs(client.eventLoop());
    }
  }
}
