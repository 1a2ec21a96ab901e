package io.nlb.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.nlb.proxyprotocol.ProxyTlv;
import io.nlb.proxyprotocol.ProxyV2Encoder;
import io.nlb.proxyprotocol.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of writing one PROXY protocol v2 header for a TCP/IPv4 connection, as the load balancer
 * does once per accepted connection: without TLVs, with the listener's VPC endpoint TLV, and with
 * TLVs plus a CRC32c.
 *
 * <p>The output buffer is allocated once and cleared every operation, so {@code -prof gc}'s
 * {@code gc.alloc.rate.norm} (B/op) is what the encoder itself allocates. Client addresses come
 * from a power-of-two table stepped with a mask.
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ProxyProtocolEncode -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProxyProtocolEncodeBenchmark {
  private static final int CLIENTS = 1024; // a power of two
  private static final int MASK = CLIENTS - 1;

  private final InetSocketAddress[] clients = new InetSocketAddress[CLIENTS];
  private InetSocketAddress listener;
  private ProxyV2Encoder plain;
  private ProxyV2Encoder vpce;
  private ProxyV2Encoder tlvsAndCrc;
  private ByteBuf out;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws UnknownHostException {
    for (int i = 0; i < CLIENTS; i++) {
      byte[] ip = {(byte) 198, (byte) 18, (byte) (i >>> 8), (byte) i};
      clients[i] = new InetSocketAddress(InetAddress.getByAddress(ip), 32768 + i);
    }
    listener = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 7}), 443);
    ProxyTlv vpceTlv = ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9");
    plain = ProxyV2Encoder.create();
    vpce = ProxyV2Encoder.builder().tlvs(vpceTlv).build();
    tlvsAndCrc = ProxyV2Encoder.builder()
        .tlvs(ProxyTlv.alpn("h2"), ProxyTlv.authority("api.example.com"), vpceTlv)
        .crc32c(true)
        .build();
    out = PooledByteBufAllocator.DEFAULT.directBuffer(256);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    out.release();
  }

  private InetSocketAddress nextClient() {
    return clients[next++ & MASK];
  }

  /** A bare TCP4 header: 28 bytes. */
  @Benchmark
  public int tcp4NoTlvs() {
    out.clear();
    return plain.encodeProxy(out, TransportProtocol.STREAM, nextClient(), listener);
  }

  /** TCP4 with the VPC endpoint TLV: 54 bytes. */
  @Benchmark
  public int tcp4VpceTlv() {
    out.clear();
    return vpce.encodeProxy(out, TransportProtocol.STREAM, nextClient(), listener);
  }

  /** TCP4 with ALPN, AUTHORITY and VPC endpoint TLVs and a CRC32c: 84 bytes. */
  @Benchmark
  public int tcp4TlvsCrc32c() {
    out.clear();
    return tlvsAndCrc.encodeProxy(out, TransportProtocol.STREAM, nextClient(), listener);
  }
}
