package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.nlb.core.ListenerConfig;
import io.nlb.core.Protocol;
import io.nlb.core.Target;
import io.nlb.core.TargetGroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.NullUnmarked;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Buffers that idle TCP flows hold, per I/O mode: every buffer the flows' connections allocate is
 * recorded ({@link RecordingAllocator}, given to the transport), and once {@value #FLOWS} flows are
 * open and idle none may still be held. An idle flow then costs its objects on the heap and its
 * sockets in the kernel, nothing in pooled direct memory.
 *
 * <p>epoll and NIO allocate a read buffer only when a socket is readable. Netty 4.2.18's io_uring
 * stream channels submit their receive with a buffer attached unless they arm a POLLIN first, which
 * they do when the channel has no provided-buffer ring (this transport configures none): were that
 * to change (a Netty upgrade, a buffer ring turned on), every idle connection would hold a read
 * buffer, 2 × {@value #FLOWS} of them here, and this test fails.
 */
@NullUnmarked
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpIdleFlowMemoryIntegrationTest {
  private static final int FLOWS = 100;
  private Harness h;
  private final Targets targets = new Targets();
  private final List<Socket> clients = new ArrayList<>();
  private final RecordingAllocator alloc = new RecordingAllocator(ByteBufAllocator.DEFAULT);

  static java.util.stream.Stream<IoMode> modes() {
    return Harness.modes();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Socket s : clients) {
      s.close();
    }
    if (h != null) {
      h.close();
    }
    targets.close();
  }

  @ParameterizedTest
  @MethodSource("modes")
  void idleFlows_afterAnEcho_holdNoBuffer(IoMode mode) throws Exception {
    InetSocketAddress listener = start(mode);
    for (int i = 0; i < FLOWS; i++) {
      Socket s = connect(listener);
      // One byte each way proves the flow end to end (as benchmarks/compare's idle row does) and
      // leaves both connections waiting for their next read.
      s.getOutputStream().write(7);
      assertThat(s.getInputStream().read()).isEqualTo(7);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == FLOWS);
    assertThat(alloc.count()).as("buffers allocated by the flows' connections (the recording works)")
        .isGreaterThanOrEqualTo(2 * FLOWS);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(alloc.held()).as("buffers held by %d idle flows on %s", FLOWS, mode).isZero());
  }

  @ParameterizedTest
  @MethodSource("modes")
  void idleFlows_noByteYet_holdNoBuffer(IoMode mode) throws Exception {
    InetSocketAddress listener = start(mode);
    for (int i = 0; i < FLOWS; i++) {
      connect(listener);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> h.transport.activeTcpFlows() == FLOWS);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(alloc.held()).as("buffers held by %d flows that have seen no byte, on %s", FLOWS, mode).isZero());
    // The flows still work: a byte through the last one.
    Socket last = clients.get(clients.size() - 1);
    last.getOutputStream().write(9);
    assertThat(last.getInputStream().read()).isEqualTo(9);
  }

  private InetSocketAddress start(IoMode mode) {
    h = new Harness(mode, b -> b.allocator(alloc));
    Targets.Echo echo = targets.echo("127.0.0.1");
    TargetGroup g = h.group("idle", Protocol.TCP);
    g.registerTargets(Target.ip("127.0.0.1", echo.port()));
    int port = Harness.freePort();
    h.lb("lb-tcp-idle", Harness.zoneA(), ListenerConfig.builder(Protocol.TCP, port).forwardTo(g).build());
    return new InetSocketAddress("127.0.0.1", port);
  }

  private Socket connect(InetSocketAddress listener) throws Exception {
    Socket s = new Socket();
    clients.add(s);
    s.connect(listener, 2000);
    s.setSoTimeout(5000);
    return s;
  }

  /**
   * An allocator that hands out its delegate's buffers and keeps a reference to each, so that a
   * test can count those not yet released. Thread-safe.
   */
  static final class RecordingAllocator implements ByteBufAllocator {
    private final ByteBufAllocator delegate;
    private final Queue<ByteBuf> made = new ConcurrentLinkedQueue<>();

    RecordingAllocator(ByteBufAllocator delegate) {
      this.delegate = delegate;
    }

    /** Buffers handed out so far. */
    int count() {
      return made.size();
    }

    /** Buffers handed out and not released. */
    long held() {
      return made.stream().filter(b -> b.refCnt() > 0).count();
    }

    private <T extends ByteBuf> T record(T b) {
      made.add(b);
      return b;
    }

    @Override
    public ByteBuf buffer() {
      return record(delegate.buffer());
    }

    @Override
    public ByteBuf buffer(int initialCapacity) {
      return record(delegate.buffer(initialCapacity));
    }

    @Override
    public ByteBuf buffer(int initialCapacity, int maxCapacity) {
      return record(delegate.buffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf ioBuffer() {
      return record(delegate.ioBuffer());
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity) {
      return record(delegate.ioBuffer(initialCapacity));
    }

    @Override
    public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
      return record(delegate.ioBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf heapBuffer() {
      return record(delegate.heapBuffer());
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity) {
      return record(delegate.heapBuffer(initialCapacity));
    }

    @Override
    public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
      return record(delegate.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public ByteBuf directBuffer() {
      return record(delegate.directBuffer());
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity) {
      return record(delegate.directBuffer(initialCapacity));
    }

    @Override
    public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
      return record(delegate.directBuffer(initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeBuffer() {
      return record(delegate.compositeBuffer());
    }

    @Override
    public CompositeByteBuf compositeBuffer(int maxNumComponents) {
      return record(delegate.compositeBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer() {
      return record(delegate.compositeHeapBuffer());
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
      return record(delegate.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer() {
      return record(delegate.compositeDirectBuffer());
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
      return record(delegate.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
      return delegate.isDirectBufferPooled();
    }

    @Override
    public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
      return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
  }
}
