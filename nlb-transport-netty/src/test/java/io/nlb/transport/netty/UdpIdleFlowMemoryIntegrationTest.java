package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Direct memory that idle UDP flows hold in read buffers, per I/O mode: the pooled allocator's
 * used direct memory before and after {@value #FLOWS} flows opened, each after one round trip.
 *
 * <p>epoll and NIO take a read buffer only when a socket is readable and give it back once the
 * datagram is relayed, so an idle flow holds none. Netty 4.2.18's io_uring datagram channel keeps
 * one {@code IORING_OP_RECVMSG} in flight per socket with its buffer attached, and a buffer must
 * hold a whole datagram ({@link DatagramSockets#SLOT}, 64 KiB): every idle flow's socket towards
 * its target holds 64 KiB. A smaller slot would cut longer datagrams, and this Netty has no
 * provided-buffer ring for datagram channels. The io_uring assertion is the reproduction: it fails
 * once the transport stops holding a slot per idle socket, and the budget can then be tightened.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpIdleFlowMemoryIntegrationTest {
  private static final int FLOWS = 200;
  private Harness h;
  private final Targets targets = new Targets();
  private final List<DatagramSocket> clients = new ArrayList<>();

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() {
    clients.forEach(DatagramSocket::close);
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  private static long usedDirect() {
    return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void idleFlows_readBuffersHeld_noneOnEpollAndNio_aSlotEachOnIoUring(IoMode mode) throws Exception {
    h = new Harness(mode);
    Targets.Udp echo = targets.udp("127.0.0.1", "A");
    TargetGroup g = h.group("udp", Protocol.UDP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    h.lb("lb-udp-idle", Harness.zoneA(), ListenerConfig.builder(Protocol.UDP, port).forwardTo(g).build());
    InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
    long before = usedDirect();
    for (int i = 0; i < FLOWS; i++) {
      DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      c.setSoTimeout(3000);
      clients.add(c);
      byte[] b = {1, 2, 3};
      c.send(new DatagramPacket(b, b.length, listener));
      c.receive(new DatagramPacket(new byte[64], 64));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.transport.activeUdpFlows() == FLOWS);
    long perFlow = (usedDirect() - before) / FLOWS;
    org.slf4j.LoggerFactory.getLogger(getClass()).info("UDP ({}) direct memory held per idle flow: {} bytes", mode, perFlow);
    if (mode == IoMode.IO_URING) {
      assertThat(perFlow).as("io_uring: a 64 KiB read slot per idle flow's socket").isGreaterThanOrEqualTo(DatagramSockets.SLOT / 2);
    } else {
      // The allocator reserves memory in chunks, so a few KiB per flow are its granularity, not buffers held.
      assertThat(perFlow).as("no read buffer held by an idle flow").isLessThan(16 * 1024);
    }
  }
}
