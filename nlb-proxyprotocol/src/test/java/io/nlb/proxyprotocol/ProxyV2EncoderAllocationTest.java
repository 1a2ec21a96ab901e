package io.nlb.proxyprotocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The encoder's hot path allocates nothing once compiled: no header object, no copy of the
 * TLVs, no checksum object, and (thanks to escape analysis) not the address bytes the JDK copies
 * out of an {@code InetAddress}. JMH's {@code -prof gc} shows the same
 * ({@code ProxyProtocolEncodeBenchmark}).
 */
class ProxyV2EncoderAllocationTest {
  @Test
  void encodeProxy_afterWarmUp_allocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported());
    threads.setThreadAllocatedMemoryEnabled(true);
    ProxyV2Encoder encoder = ProxyV2Encoder.builder()
        .tlvs(ProxyTlv.alpn("h2"), ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"))
        .crc32c(true)
        .build();
    InetSocketAddress[] clients = new InetSocketAddress[64];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = new InetSocketAddress("198.18.0." + i, 1024 + i);
    }
    InetSocketAddress listener = new InetSocketAddress("10.0.0.7", 443);
    // Not from an allocator: under the tests' PARANOID leak detection those buffers record a
    // stack trace on every access, which is the detector allocating, not the encoder.
    ByteBuf out = Unpooled.wrappedBuffer(new byte[256]);
    try {
      long thread = Thread.currentThread().getId();
      long perOp = Long.MAX_VALUE;
      // The JIT needs a while (and runs in the background): measure rounds until one is clean.
      for (int round = 0; round < 250 && perOp > 0; round++) {
        long before = threads.getThreadAllocatedBytes(thread);
        int sum = 0;
        for (int i = 0; i < 20_000; i++) {
          out.clear();
          sum += encoder.encodeProxy(out, TransportProtocol.STREAM, clients[i & 63], listener);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertThat(sum).isEqualTo(20_000 * 66);
        perOp = allocated / 20_000;
      }
      assertThat(perOp).as("bytes allocated per encodeProxy").isZero();
    } finally {
      out.release();
    }
  }
}
