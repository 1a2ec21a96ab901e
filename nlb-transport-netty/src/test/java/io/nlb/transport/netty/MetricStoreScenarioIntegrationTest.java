package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.nlb.core.ListenerConfig;
import io.nlb.core.LoadBalancer;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import io.nlb.metrics.Dimensions;
import io.nlb.metrics.Metric;
import io.nlb.metrics.Statistic;
import io.nlb.metrics.store.Datapoint;
import io.nlb.metrics.store.LcuRates;
import io.nlb.metrics.store.MetricStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The derived metrics of the default store ({@code ConsumedLCUs*}, {@code PeakPacketsPerSecond})
 * driven by real traffic on loopback, with the store on a manual clock so that every flow, byte and
 * packet lands in a known period and 10-second window, and the expected values are computed by hand
 * from the traffic the test sends.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricStoreScenarioIntegrationTest {
  /** A period boundary, so that the store's first period starts exactly here. */
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);

  private final TestClock clock = new TestClock(T0);
  private final MetricStore store = MetricStore.builder().period(MINUTE).clock(clock).build();
  private final Targets targets = new Targets();
  private final List<AutoCloseable> clients = new ArrayList<>();
  private Harness h;

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : clients) {
      c.close();
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void consumedLcusAndPeakPackets_followTheTrafficSent(IoMode mode) throws Exception {
    h = new Harness(mode, b -> b.metrics(store));
    Targets.Echo echo = targets.echo("127.0.0.1");
    Targets.Udp udpEcho = targets.udp("127.0.0.1", "A");
    TargetGroup tcp = h.group("tcp", Protocol.TCP);
    tcp.registerTargets(Target.ip("127.0.0.1", echo.port()));
    TargetGroup udp = h.group("udp", Protocol.UDP);
    udp.registerTargets(Target.ip("127.0.0.1", udpEcho.port()));
    int port = Harness.freePort();
    LoadBalancer lb = h.lb("lb-lcu", Harness.zoneA(),
        ListenerConfig.builder(Protocol.TCP, port).forwardTo(tcp).build(),
        ListenerConfig.builder(Protocol.UDP, port).forwardTo(udp).build());
    Dimensions lbDims = Dimensions.of(lb.resourceId());

    // Period 1, first 10-second window: 5 TCP flows open at once, 100 bytes each way on each;
    // 3 UDP flows, 2 exchanges each of 10 bytes out and 12 back ("A|" + the payload).
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
      s.setSoTimeout(3000);
      clients.add(s);
      sockets.add(s);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 5);
    byte[] hundred = new byte[100];
    for (Socket s : sockets) {
      OutputStream out = s.getOutputStream();
      out.write(hundred);
      out.flush();
      readFully(s.getInputStream(), 100);
    }
    for (Socket s : sockets) {
      s.close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeTcpFlows() == 0);
    List<DatagramSocket> udpClients = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      d.setSoTimeout(3000);
      clients.add(d);
      udpClients.add(d);
      exchange(d, port, "0123456789");
      exchange(d, port, "abcdefghij");
    }
    assertThat(h.transport.activeUdpFlows()).isEqualTo(3);

    // Close the first window; the rest of period 1 is quiet.
    clock.set(T0.plusSeconds(10));
    store.tick();
    clock.set(T0.plusSeconds(60));
    store.tick();

    long tcpBytes = 5 * (100 + 100);
    long udpBytes = 3 * 2 * (10 + 12);
    // Estimated packets: every relayed read or datagram counts one packet in and one out. Each TCP
    // flow relays one 100-byte read per direction; each UDP exchange is two datagrams.
    long packets1 = 5 * 2 * 2 + 3 * 2 * 2 * 2;
    assertThat(sum(Metric.NEW_FLOW_COUNT_TCP, lbDims, 0)).isEqualTo(5);
    assertThat(max(Metric.ACTIVE_FLOW_COUNT_TCP, lbDims, 0)).isEqualTo(5);
    assertThat(sum(Metric.PROCESSED_BYTES_TCP, lbDims, 0)).isEqualTo(tcpBytes);
    assertThat(sum(Metric.NEW_FLOW_COUNT_UDP, lbDims, 0)).isEqualTo(3);
    assertThat(max(Metric.ACTIVE_FLOW_COUNT_UDP, lbDims, 0)).isEqualTo(3);
    assertThat(sum(Metric.PROCESSED_BYTES_UDP, lbDims, 0)).isEqualTo(udpBytes);
    assertThat(sum(Metric.PROCESSED_PACKETS, lbDims, 0)).isEqualTo(packets1);

    // By hand, per the LCU table: TCP 800 new flows/s, 100,000 active, 1 GiB/h; UDP 400, 50,000.
    double tcpLcus = Math.max(5 / 60.0 / 800, Math.max(5 / 100_000.0, tcpBytes * 60.0 / (1L << 30)));
    double udpLcus = Math.max(3 / 60.0 / 400, Math.max(3 / 50_000.0, udpBytes * 60.0 / (1L << 30)));
    assertThat(tcpLcus).isEqualTo(5 / 60.0 / 800); // the new-flow dimension dominates here
    assertThat(udpLcus).isEqualTo(3 / 60.0 / 400);
    assertThat(value(Metric.CONSUMED_LCUS_TCP, lbDims, 0)).isCloseTo(tcpLcus, within(1e-15));
    assertThat(value(Metric.CONSUMED_LCUS_UDP, lbDims, 0)).isCloseTo(udpLcus, within(1e-15));
    assertThat(points(Metric.CONSUMED_LCUS_TLS, lbDims, 0, Statistic.SUM))
        .as("no TLS listener: the TLS variant is zero and reported only when nonzero").isEmpty();
    assertThat(value(Metric.CONSUMED_LCUS, lbDims, 0)).isCloseTo(tcpLcus + udpLcus, within(1e-15));
    assertThat(LcuRates.TCP.lcus(5, 5, tcpBytes, MINUTE)).isCloseTo(tcpLcus, within(1e-15));
    assertThat(value(Metric.PEAK_PACKETS_PER_SECOND, lbDims, 0)).isCloseTo(packets1 / 10.0, within(1e-12));

    // Period 2: 4 UDP exchanges in its first window, 10 in its third, nothing else. The peak is the
    // busiest window's packets ÷ 10 s; the LCUs now come from bytes and active flows only.
    DatagramSocket d = udpClients.get(0);
    for (int i = 0; i < 4; i++) {
      exchange(d, port, "0123456789");
    }
    clock.set(T0.plusSeconds(70));
    store.tick();
    clock.set(T0.plusSeconds(80));
    store.tick();
    for (int i = 0; i < 10; i++) {
      exchange(d, port, "0123456789");
    }
    for (int s = 90; s <= 120; s += 10) {
      clock.set(T0.plusSeconds(s));
      store.tick();
    }
    long udpBytes2 = 14 * (10 + 12);
    assertThat(sum(Metric.PROCESSED_PACKETS, lbDims, 1)).isEqualTo(14 * 2 * 2);
    assertThat(value(Metric.PEAK_PACKETS_PER_SECOND, lbDims, 1)).isCloseTo(10 * 2 * 2 / 10.0, within(1e-12));
    assertThat(sum(Metric.NEW_FLOW_COUNT_UDP, lbDims, 1)).isZero();
    assertThat(max(Metric.ACTIVE_FLOW_COUNT_UDP, lbDims, 1)).isEqualTo(3);
    double udpLcus2 = Math.max(3 / 50_000.0, udpBytes2 * 60.0 / (1L << 30));
    assertThat(udpLcus2).isEqualTo(3 / 50_000.0); // three flows still open dominate
    assertThat(value(Metric.CONSUMED_LCUS_UDP, lbDims, 1)).isCloseTo(udpLcus2, within(1e-15));
    assertThat(points(Metric.CONSUMED_LCUS_TCP, lbDims, 1, Statistic.SUM))
        .as("no TCP activity in period 2: nothing to report").isEmpty();
    assertThat(value(Metric.CONSUMED_LCUS, lbDims, 1)).isCloseTo(udpLcus2, within(1e-15));

    // A five-minute query over both periods sums the LCUs of the two one-minute periods.
    List<Datapoint> five = store.statistics(Metric.CONSUMED_LCUS, lbDims, T0, T0.plus(Duration.ofMinutes(5)),
        Duration.ofMinutes(5), EnumSet.of(Statistic.SUM, Statistic.MAXIMUM, Statistic.SAMPLE_COUNT));
    assertThat(five).hasSize(1);
    assertThat(five.get(0).value(Statistic.SUM)).isCloseTo(tcpLcus + udpLcus + udpLcus2, within(1e-15));
    assertThat(five.get(0).value(Statistic.MAXIMUM)).isCloseTo(tcpLcus + udpLcus, within(1e-15));
    assertThat(five.get(0).value(Statistic.SAMPLE_COUNT)).isEqualTo(2.0);
  }

  private List<Datapoint> points(Metric m, Dimensions dims, int period, Statistic statistic) {
    Instant start = T0.plus(MINUTE.multipliedBy(period));
    return store.statistics(m, dims, start, start.plus(MINUTE), MINUTE, EnumSet.of(statistic));
  }

  private double value(Metric m, Dimensions dims, int period) {
    List<Datapoint> p = points(m, dims, period, Statistic.SUM);
    assertThat(p).as("%s in period %d", m, period).hasSize(1);
    return p.get(0).value(Statistic.SUM);
  }

  private long sum(Metric m, Dimensions dims, int period) {
    List<Datapoint> p = points(m, dims, period, Statistic.SUM);
    return p.isEmpty() ? 0 : (long) p.get(0).value(Statistic.SUM);
  }

  private long max(Metric m, Dimensions dims, int period) {
    List<Datapoint> p = points(m, dims, period, Statistic.MAXIMUM);
    assertThat(p).as("%s in period %d", m, period).hasSize(1);
    return (long) p.get(0).value(Statistic.MAXIMUM);
  }

  private static void exchange(DatagramSocket s, int port, String text) throws Exception {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    s.send(new DatagramPacket(b, b.length, new InetSocketAddress("127.0.0.1", port)));
    DatagramPacket in = new DatagramPacket(new byte[256], 256);
    s.receive(in);
    assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("A|" + text);
  }

  private static void readFully(InputStream in, int n) throws Exception {
    byte[] buf = new byte[n];
    int got = 0;
    while (got < n) {
      int r = in.read(buf, got, n - got);
      assertThat(r).as("echo ended early after %d bytes", got).isPositive();
      got += r;
    }
  }

  /** A clock the test moves by hand. */
  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
