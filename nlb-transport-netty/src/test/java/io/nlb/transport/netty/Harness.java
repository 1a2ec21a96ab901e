package io.nlb.transport.netty;

import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerConfig;
import io.nlb.core.ManualScheduler;
import io.nlb.core.Nlb;
import io.nlb.core.Protocol;
import io.nlb.core.TargetGroup;
import io.nlb.core.TargetGroupAttributes;
import io.nlb.core.TargetGroupConfig;
import io.nlb.core.TargetType;
import io.nlb.core.Zone;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.InMemoryMetricsRecorder;
import io.nlb.metrics.Metric;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** One Nlb with a NettyTransport in a given I/O mode, plus helpers; closed after each test. */
@org.jspecify.annotations.NullUnmarked
final class Harness implements AutoCloseable {
  final ManualScheduler scheduler = new ManualScheduler();
  final InMemoryMetricsRecorder metrics = InMemoryMetricsRecorder.create();
  final NettyTransport transport;
  final Nlb nlb;

  Harness(IoMode mode) {
    this(mode, b -> {});
  }

  Harness(IoMode mode, Consumer<NettyTransportBuilder> custom) {
    NettyTransportBuilder b = NettyTransport.builder().ioMode(mode).threads(2).metrics(metrics)
        .shutdownTimeout(java.time.Duration.ofSeconds(2)).connectTimeout(java.time.Duration.ofSeconds(2));
    custom.accept(b);
    transport = b.build();
    nlb = Nlb.builder().scheduler(scheduler).transport(transport.spi()).flowHashSeed(1).build();
  }

  /** The I/O modes usable on this machine: NIO always, the native ones when they load. */
  static Stream<IoMode> modes() {
    return Stream.of(IoMode.NIO, IoMode.EPOLL, IoMode.IO_URING).filter(NettyTransport::isAvailable);
  }

  /**
   * Skips a test that writes to a half-closed connection on epoll of Netty 4.2.17/4.2.18 when the
   * library's workaround (EpollRegistration) is off, as such data is lost then (see
   * EpollSupport.halfCloseLosesWrites). With the workaround on, these tests are its reproduction.
   */
  static void assumeHalfCloseWorks(IoMode mode) {
    assumeHalfCloseWorks(mode, false);
  }

  /** {@link #assumeHalfCloseWorks(IoMode)} for spliced flows too, which the workaround does not cover. */
  static void assumeHalfCloseWorks(IoMode mode, boolean spliced) {
    org.junit.jupiter.api.Assumptions.assumeFalse(mode == IoMode.EPOLL
            && (spliced ? EpollSupport.halfCloseBroken() : EpollSupport.halfCloseLosesWrites()),
        "epoll of Netty " + EpollSupport.version() + " loses writes to half-closed sockets (epoll_ctl ENOENT)"
            + (spliced ? " of spliced flows" : ""));
  }

  /**
   * Skips a test that needs a target's RST noticed while the flow waits to read, on io_uring of
   * Netty 4.2.17/4.2.18 with multishot POLL_ADD (on only when the user turned it on; IoUringSupport sets it
   * off), which can miss it (see IoUringSupport.resetDetectionBroken).
   */
  static void assumeTargetResetsSeen(IoMode mode) {
    org.junit.jupiter.api.Assumptions.assumeFalse(mode == IoMode.IO_URING && IoUringSupport.resetDetectionBroken(),
        "io_uring of Netty " + IoUringSupport.version() + " with multishot POLL_ADD misses an RST that arrives"
        + " right behind data (run with -Dio.netty.iouring.pollAddMultishotEnabled=false to test it)");
  }

  TargetGroup group(String name, Protocol protocol, TargetGroupAttributes attributes) {
    return nlb.createTargetGroup(TargetGroupConfig.builder(name, protocol, 9).targetType(TargetType.IP).attributes(attributes).build());
  }

  TargetGroup group(String name, Protocol protocol) {
    return group(name, protocol, TargetGroupAttributes.defaults());
  }

  static Zone zoneA() {
    return Zone.builder("zone-a").address("127.0.0.1").targetRange("127.0.0.0/8").build();
  }

  LoadBalancer lb(String name, Zone zone, io.nlb.core.ListenerConfig... listeners) {
    LoadBalancerConfig.Builder b = LoadBalancerConfig.builder(name).zone(zone);
    for (io.nlb.core.ListenerConfig l : listeners) {
      b.listener(l);
    }
    return nlb.createLoadBalancer(b.build());
  }

  long value(LoadBalancer lb, String zone, Metric m) {
    return metrics.value(m, Dimensions.of(lb.resourceId(), zone, null));
  }

  /**
   * A port free for TCP and UDP on 127.0.0.1 and 127.0.0.2 when probed (a small race, acceptable in
   * tests). It is taken below the kernel's ephemeral range (32768-60999 here), so that the many
   * ephemeral source ports the tests use (and their TIME_WAITs) never collide with a listener.
   */
  static int freePort() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      int port = r.nextInt(20_000, 32_000);
      if (free(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port");
  }

  private static boolean free(int port) {
    for (String a : new String[] {"127.0.0.1", "127.0.0.2"}) {
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(a, port));
      } catch (IOException e) {
        return false;
      }
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(a, port))) {
        d.getLocalPort();
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    nlb.close();
  }
}
