package io.nlb.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.nlb.common.Problems;
import io.nlb.core.DnsRecords;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An authoritative DNS server for one zone of load balancer names, over UDP and TCP on the same
 * address and port. The answers come from a {@link NodeDirectory}, read once per query; the
 * package javadoc lists them. Every record has a TTL of 60 seconds ({@link DnsRecords#TTL}).
 *
 * <p>It does not recurse: a name outside its zone is REFUSED. It speaks plain DNS (no EDNS), so a
 * UDP answer larger than 512 bytes is sent truncated (TC set, no records), and the client asks
 * again over TCP. A TCP connection may carry several queries and is closed after 10 seconds
 * without one.
 *
 * <pre>{@code
 * try (Nlb nlb = Nlb.builder().build();
 *      DnsServer dns = DnsServer.builder(NodeDirectory.of(nlb), "elb.local")
 *          .address(new InetSocketAddress("127.0.0.1", 5353))
 *          .build()) {
 *   System.out.println("dig @127.0.0.1 -p " + dns.address().getPort() + " <name> A");
 * }
 * }</pre>
 *
 * <p>Thread-safe. It owns one event loop thread, stopped by {@link #close()}.
 *
 * @since 0.1
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
  private static final String DOMAIN = "[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*";
  /** How often binding TCP on the port UDP chose (port 0) is retried with another port. */
  private static final int BIND_ATTEMPTS = 10;

  private final EventLoopGroup group;
  private final Channel udp;
  private final Channel tcp;
  private final String zone;

  private DnsServer(EventLoopGroup group, Channel udp, Channel tcp, String zone) {
    this.group = group;
    this.udp = udp;
    this.tcp = tcp;
    this.zone = zone;
  }

  /**
   * Starts a builder.
   *
   * @param directory where the nodes of each load balancer name are read
   * @param zone the DNS zone the server is authoritative for: the {@code Nlb}'s DNS suffix, such
   *     as {@code elb.local}
   * @return a builder; set the address, then {@link Builder#build()}
   * @throws IllegalArgumentException when {@code zone} is not a lower-case DNS domain
   */
  public static Builder builder(NodeDirectory directory, String zone) {
    if (!zone.matches(DOMAIN)) {
      throw Problems.invalid("dns.zone", zone, "a lower-case DNS domain such as elb.local");
    }
    return new Builder(directory, zone);
  }

  /** {@return the address and port both the UDP and the TCP socket are bound to} */
  public InetSocketAddress address() {
    return (InetSocketAddress) udp.localAddress();
  }

  /** {@return the zone the server is authoritative for} */
  public String zone() {
    return zone;
  }

  /** Closes both sockets and stops the event loop; waits up to 5 seconds. Idempotent. */
  @Override
  public void close() {
    udp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    tcp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "DnsServer{" + zone + " on " + udp.localAddress() + " udp+tcp}";
  }

  /** Configures a {@link DnsServer}. Not thread-safe. */
  public static final class Builder {
    private final NodeDirectory directory;
    private final String zone;
    private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 53);

    private Builder(NodeDirectory directory, String zone) {
      this.directory = directory;
      this.zone = zone;
    }

    /**
     * Where to listen, UDP and TCP (default {@code 127.0.0.1:53}; port 0 picks a free port for
     * both). Ports below 1024 need {@code CAP_NET_BIND_SERVICE}.
     *
     * @param address an IP address and port
     * @return this builder
     * @throws IllegalArgumentException when {@code address} is unresolved
     */
    public Builder address(InetSocketAddress address) {
      if (address.isUnresolved()) {
        throw Problems.invalid("dns.address", address.getHostString(), "an IP address");
      }
      this.address = address;
      return this;
    }

    /**
     * Binds the UDP and the TCP socket and starts answering.
     *
     * @return the running server
     * @throws UncheckedIOException when the address cannot be bound for UDP and TCP
     */
    public DnsServer build() {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "nlb-dns");
        t.setDaemon(true);
        return t;
      }, NioIoHandler.newFactory());
      Responder responder = new Responder(directory, zone, DnsRecords.TTL.toSeconds());
      QueryHandler handler = new QueryHandler(responder);
      Throwable last = null;
      try {
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
          Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
              .handler(new ChannelInitializer<NioDatagramChannel>() {
                @Override
                protected void initChannel(NioDatagramChannel ch) {
                  ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), handler);
                }
              }).bind(address).syncUninterruptibly().channel();
          InetSocketAddress bound = (InetSocketAddress) udp.localAddress();
          io.netty.channel.ChannelFuture tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
              .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline().addLast(new ReadTimeoutHandler(10), new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(), handler);
                }
              }).bind(bound).awaitUninterruptibly();
          if (tcp.isSuccess()) {
            DnsServer s = new DnsServer(group, udp, tcp.channel(), zone);
            log.info("dns: authoritative for {} on {} (udp, tcp)", zone, bound);
            return s;
          }
          last = tcp.cause();
          udp.close().syncUninterruptibly();
          if (address.getPort() != 0) {
            break;
          }
        }
      } catch (Exception e) { // syncUninterruptibly rethrows the bind's IOException unchecked
        last = e;
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      String why = last == null ? "unknown" : String.valueOf(last.getMessage());
      throw new UncheckedIOException(Problems.message("dns.address", address, "an address free for UDP and TCP; " + why),
          new java.io.IOException(why, last));
    }
  }

  /** One query in, one response out; the same handler serves UDP and TCP. */
  @ChannelHandler.Sharable
  private static final class QueryHandler extends SimpleChannelInboundHandler<DnsQuery> {
    private final Responder responder;

    QueryHandler(Responder responder) {
      this.responder = responder;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
      DnsResponse response;
      boolean datagram = query instanceof DatagramDnsQuery;
      if (datagram) {
        DatagramDnsQuery q = (DatagramDnsQuery) query;
        response = new DatagramDnsResponse(q.recipient(), q.sender(), q.id(), q.opCode());
      } else {
        response = new DefaultDnsResponse(query.id(), query.opCode());
      }
      responder.answer(query, response, datagram);
      ctx.writeAndFlush(response);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A malformed query over UDP costs nothing but this line; over TCP the connection goes.
      log.debug("dns: {} on {}", cause.toString(), ctx.channel());
      if (!(ctx.channel() instanceof NioDatagramChannel)) {
        ctx.close();
      }
    }
  }

}
