package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A UDP flow's steady state allocates little per datagram on the event loop: bytes allocated by the
 * load balancer's threads while one client's datagrams are echoed through an established flow,
 * measured with the JVM's per-thread allocation counters (the leak detector off, as in {@link
 * RelayAllocationIntegrationTest}), in every I/O mode. What is left is Netty's and the JDK's
 * per-datagram objects (the sender's address decoded for every datagram, Netty's {@code
 * DatagramPacket} wrappers, io_uring's operation objects) and the relay's one 24-byte envelope per
 * reply (the client's address for the listener socket); the flow lookup adds nothing, so a boxed
 * key, a lambda or a string per datagram would break the budget.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpRelayAllocationIntegrationTest {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UdpRelayAllocationIntegrationTest.class);

  private static final String LOOP = "nlb-udp-alloc-test";
  private Harness h;
  private final Targets targets = new Targets();
  private EventLoopGroup loops;
  private ResourceLeakDetector.Level level;

  @AfterEach
  void tearDown() {
    if (level != null) {
      ResourceLeakDetector.setLevel(level);
    }
    if (h != null) {
      h.close();
    }
    targets.close();
    if (loops != null) {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static long cpuOfLoops() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(LOOP)) {
        sum += mx.getThreadCpuTime(t.getId());
      }
    }
    return sum;
  }

  private static long allocatedByLoops() {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<Long> ids = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(LOOP)) {
        ids.add(t.getId());
      }
    }
    long sum = 0;
    for (long id : ids) {
      sum += mx.getThreadAllocatedBytes(id);
    }
    return sum;
  }

  private static void pingPong(DatagramSocket s, int count) throws Exception {
    byte[] out = new byte[64];
    byte[] in = new byte[256];
    DatagramPacket send = new DatagramPacket(out, out.length);
    DatagramPacket recv = new DatagramPacket(in, in.length);
    for (int i = 0; i < count; i++) {
      s.send(send);
      s.receive(recv);
    }
  }

  /**
   * Bytes per round trip allowed. Netty's io_uring channel allocates more of its own per datagram
   * than the others: an operation object per submitted read and write, and the sender decoded on
   * every read, the connected flow socket's included; measured 443 bytes when this class runs alone
   * and 697 within the module's whole suite (the JIT's escape analysis decides the difference).
   */
  private static long budgetPerRoundTrip(IoMode mode) {
    return mode == IoMode.IO_URING ? 1_024 : 512;
  }

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void udpFlow_steadyState_allocatesWithinItsBudgetPerRoundTrip(IoMode mode) throws Exception {
    level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(LOOP), IoTransport.resolve(mode).handlerFactory);
    h = new Harness(mode, b -> b.eventLoopGroup(loops));
    Targets.Udp echo = targets.udp("127.0.0.1", "t");
    TargetGroup g = h.group("udp", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    h.lb("lb-udp-alloc", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      s.connect(new InetSocketAddress("127.0.0.1", port));
      s.setSoTimeout(5_000);
      pingPong(s, 5_000); // warm up: the flow, pools, JIT
      long before = allocatedByLoops();
      long cpuBefore = cpuOfLoops();
      int rounds = 20_000;
      pingPong(s, rounds);
      long allocated = allocatedByLoops() - before;
      long cpu = cpuOfLoops() - cpuBefore;
      // For information only (the machine may be busy): the event loop's CPU per round trip.
      log.info("UDP relay ({}) event loop CPU {} us per round trip; allocated {} bytes on the event loop for {} round trips"
          + " ({} per round trip)", mode, String.format("%.2f", cpu / 1e3 / rounds), allocated, rounds,
          String.format("%.1f", (double) allocated / rounds));
      // Each round trip is two datagrams through the load balancer (client -> target, target -> client).
      assertThat(allocated).isLessThan(budgetPerRoundTrip(mode) * rounds);
    }
  }
}
