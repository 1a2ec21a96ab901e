package io.nlb.awsapi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.nlb.core.Nlb;
import io.nlb.core.NlbConfig;
import io.nlb.metrics.store.MetricStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS API endpoint of an {@link Nlb}: an HTTP server that speaks the elbv2 Query protocol
 * (API version 2015-12-01) and verifies AWS Signature Version 4, so the AWS CLI, the AWS SDKs and
 * infrastructure code with an endpoint override create and manage real load balancers here. It
 * also answers CloudWatch's {@code GetMetricStatistics} and {@code ListMetrics} for the {@code
 * AWS/NetworkELB} namespace from a {@link MetricStore} (Query protocol and Smithy RPC v2 CBOR),
 * and the ARC zonal-shift operations (REST-JSON, service {@code arc-zonal-shift}) over the
 * library's zonal shift, with load balancer ARNs as resource identifiers.
 *
 * <pre>{@code
 * try (Nlb nlb = Nlb.builder().transport(NettyTransport.builder().build().spi()).build();
 *     AwsApiServer api = AwsApiServer.builder(nlb)
 *         .region("us-east-2")
 *         .accessKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
 *         .subnet(Subnet.of("subnet-0e3f5cac72EXAMPLE",
 *             Zone.builder("us-east-2a").address("127.0.0.1").targetRange("127.0.0.0/8").build()))
 *         .port(4566)
 *         .build()
 *         .start()) {
 *   // aws --endpoint-url http://127.0.0.1:4566 --region us-east-2 elbv2 describe-load-balancers
 * }
 * }</pre>
 *
 * <p>It binds to loopback unless {@link Builder#bindAddress} says otherwise. Requests are read on
 * one small event loop of its own and run one at a time on one operations thread, in arrival
 * order; with a {@linkplain Builder#stateFile state file}, every change is written (atomically)
 * before it is acknowledged, and {@link #start()} restores what the file holds.
 *
 * <p>Thread-safe. {@link #close()} unbinds and stops both threads; the {@link Nlb} and the load
 * balancers created through the API stay as they are (close the {@code Nlb} to remove them).
 *
 * @since 0.1
 */
public final class AwsApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AwsApiServer.class);

  private final InetAddress bindAddress;
  private final int port;
  private final int maxRequestBytes;
  private final int maxPendingRequests;
  private final AtomicInteger pending = new AtomicInteger();
  private final Duration readTimeout;
  private final ElbV2Service elb;
  private final ZonalShiftService zonalShifts;
  private final Nlb nlb;
  private final Clock clock;
  private final @Nullable StateFile state;
  private final ApiDispatcher dispatcher;
  private final ExecutorService operations;
  private final EventLoopGroup group;
  private volatile @Nullable Channel channel;

  private AwsApiServer(Builder b, Map<String, Subnet> subnets) {
    this.bindAddress = b.bindAddress;
    this.port = b.port;
    this.maxRequestBytes = b.maxRequestBytes;
    this.maxPendingRequests = b.maxPendingRequests;
    this.readTimeout = b.readTimeout;
    RandomGenerator random = b.random != null ? b.random : new SplittableRandom(new SecureRandom().nextLong());
    String dnsSuffix = b.dnsSuffix != null ? b.dnsSuffix : "elb." + b.region + ".amazonaws.com";
    this.elb = new ElbV2Service(b.nlb, b.region, b.accountId, dnsSuffix, subnets, b.certificates, b.clock, random);
    this.state = b.stateFile == null ? null : new StateFile(b.stateFile);
    SigV4Verifier verifier = new SigV4Verifier(b.accessKeys, b.region,
        Set.of(ApiDispatcher.ELB_SERVICE, CloudWatchService.SERVICE, ZonalShiftService.SERVICE), b.clock);
    CloudWatchService cloudWatch = new CloudWatchService(b.metrics, elb, b.clock);
    this.zonalShifts = new ZonalShiftService(elb, b.clock, random, b.sharedState != null);
    this.nlb = b.nlb;
    this.clock = b.clock;
    SharedChanges shared = b.sharedState == null ? null
        : new SharedChanges(b.sharedState, elb, b.sharedApplyWait, b.clock, random);
    this.dispatcher = new ApiDispatcher(verifier, elb, cloudWatch, zonalShifts, state, shared, random);
    this.operations = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "nlb-aws-api-operations");
      t.setDaemon(true);
      return t;
    });
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  /**
   * Starts a builder for an endpoint over {@code nlb}.
   *
   * @param nlb the control plane the API operates on
   * @return a new builder
   */
  public static Builder builder(Nlb nlb) {
    return new Builder(nlb);
  }

  /**
   * Restores the state file (if one is configured and present), then binds.
   *
   * @return this endpoint
   * @throws IllegalStateException if the state file cannot be restored or the port cannot be bound;
   *     nothing is left bound or running then
   */
  public AwsApiServer start() {
    try {
      if (state != null) {
        operations.submit(() -> state.restore(elb)).get();
      }
      ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new ReadTimeoutHandler(readTimeout.toMillis(), TimeUnit.MILLISECONDS))
                  .addLast(new HttpServerCodec())
                  .addLast(new HttpServerKeepAliveHandler())
                  .addLast(new HttpObjectAggregator(maxRequestBytes))
                  .addLast(new ApiHttpHandler(dispatcher, operations, pending, maxPendingRequests));
            }
          });
      channel = b.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
      log.info("AWS API endpoint on {}", endpoint());
      return this;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("awsApi: interrupted while starting", e);
    } catch (Exception e) {
      close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("awsApi: " + bindAddress.getHostAddress() + ":" + port + " could not start: " + cause.getMessage(), cause);
    }
  }

  /** {@return the bound address (its port is the real one when port 0 was asked for)} */
  public InetSocketAddress localAddress() {
    Channel c = channel;
    if (c == null) {
      throw new IllegalStateException("awsApi: not started (expected: start() first)");
    }
    return (InetSocketAddress) c.localAddress();
  }

  /** {@return the endpoint URL to give a client, such as {@code http://127.0.0.1:4566}} */
  public URI endpoint() {
    InetSocketAddress a = localAddress();
    String host = a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort());
  }

  /** Requests accepted and not yet run to the end (for tests). */
  int pendingRequests() {
    return pending.get();
  }

  /**
   * The load balancers and target groups that a shared state's API records describe (see {@link
   * SharedApiState}), as desired state to apply together with the rest of the configuration.
   * Reads only this endpoint's settings (subnets, certificates); any thread.
   *
   * @param apiState the API's records in the state-file format; empty for none
   * @return the desired state of those records
   * @throws IllegalStateException naming the record that does not describe a resource (a subnet or
   *     certificate this endpoint does not know, for example)
   */
  public NlbConfig desiredState(String apiState) {
    return elb.desired(StateFile.parse(apiState, "shared API state"));
  }

  /**
   * Tells the endpoint that its {@link Nlb} now runs {@code apiState} (after applying {@link
   * #desiredState}): from the next request on, the resources it names are the API's, under the
   * ids, subnets, security groups and tags it gives; the zonal shifts it holds are started,
   * updated or canceled on the load balancers to match. Any thread.
   *
   * @param apiState the API's records in the state-file format; empty for none
   */
  public void sharedStateApplied(String apiState) {
    List<StateFile.Entry> records = StateFile.parse(apiState, "shared API state");
    elb.runs(records);
    zonalShifts.runs(records);
    SharedShifts.apply(nlb, SharedShifts.parse(records), clock.instant());
  }

  /** {@return the region requests must be signed for} */
  public String region() {
    return elb.region;
  }

  @Override
  public void close() {
    Channel c = channel;
    if (c != null) {
      c.close().awaitUninterruptibly();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    operations.shutdown();
    try {
      if (!operations.awaitTermination(10, TimeUnit.SECONDS)) {
        operations.shutdownNow();
      }
    } catch (InterruptedException e) {
      operations.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Configures an {@link AwsApiServer}. Setters validate their argument and throw {@link
   * IllegalArgumentException} naming it; {@link #build()} checks the whole. Not thread-safe.
   */
  public static final class Builder {
    private final Nlb nlb;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private String region = "us-east-1";
    private String accountId = "123456789012";
    private @Nullable String dnsSuffix;
    private final Map<String, String> accessKeys = new LinkedHashMap<>();
    private final Map<String, Subnet> subnets = new LinkedHashMap<>();
    private CertificateStore certificates = CertificateStore.NONE;
    private @Nullable Path stateFile;
    private @Nullable SharedApiState sharedState;
    private Duration sharedApplyWait = Duration.ofSeconds(5);
    private @Nullable MetricStore metrics;
    private Clock clock = Clock.systemUTC();
    private @Nullable RandomGenerator random;
    private int maxRequestBytes = 1 << 20;
    private int maxPendingRequests = 256;
    private Duration readTimeout = Duration.ofSeconds(60);

    private Builder(Nlb nlb) {
      this.nlb = nlb;
    }

    /**
     * The address to bind (default: loopback).
     *
     * @param address the local address
     * @return this builder
     */
    public Builder bindAddress(InetAddress address) {
      this.bindAddress = address;
      return this;
    }

    /**
     * The port (0-65535; default 0, a free port chosen at bind).
     *
     * @param port the TCP port
     * @return this builder
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("awsApi.port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /**
     * The region requests are signed for and ARNs carry (default {@code us-east-1}).
     *
     * @param region a region name such as {@code eu-west-1}
     * @return this builder
     */
    public Builder region(String region) {
      if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d{1,2}")) {
        throw new IllegalArgumentException("awsApi.region: " + region + " (expected: a region name such as us-east-2)");
      }
      this.region = region;
      return this;
    }

    /**
     * The 12-digit account id in ARNs (default {@code 123456789012}).
     *
     * @param accountId twelve digits
     * @return this builder
     */
    public Builder accountId(String accountId) {
      if (!accountId.matches("\\d{12}")) {
        throw new IllegalArgumentException("awsApi.accountId: " + accountId + " (expected: 12 digits)");
      }
      this.accountId = accountId;
      return this;
    }

    /**
     * The suffix of DNS names (default {@code elb.<region>.amazonaws.com}).
     *
     * @param suffix the domain that load balancer DNS names end with
     * @return this builder
     */
    public Builder dnsSuffix(String suffix) {
      if (!suffix.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        throw new IllegalArgumentException("awsApi.dnsSuffix: " + suffix + " (expected: a DNS name)");
      }
      this.dnsSuffix = suffix;
      return this;
    }

    /**
     * An access key that may sign requests, with its secret. At least one is required.
     *
     * @param accessKeyId the key id clients sign with
     * @param secretAccessKey its secret
     * @return this builder
     */
    public Builder accessKey(String accessKeyId, String secretAccessKey) {
      if (!accessKeyId.matches("[A-Z0-9]{16,128}")) {
        throw new IllegalArgumentException("awsApi.accessKeys: " + accessKeyId + " (expected: 16-128 capital letters and digits)");
      }
      if (secretAccessKey.isEmpty()) {
        throw new IllegalArgumentException("awsApi.accessKeys[" + accessKeyId + "].secret: (empty) (expected: the secret access key)");
      }
      accessKeys.put(accessKeyId, secretAccessKey);
      return this;
    }

    /**
     * A subnet requests may name.
     *
     * @param subnet the subnet
     * @return this builder
     */
    public Builder subnet(Subnet subnet) {
      subnets.put(subnet.id(), subnet);
      return this;
    }

    /**
     * Where {@code CertificateArn} values resolve (default: none).
     *
     * @param store the certificates by ARN
     * @return this builder
     */
    public Builder certificates(CertificateStore store) {
      this.certificates = store;
      return this;
    }

    /**
     * The file that keeps what the API created across restarts: written atomically after every
     * change, before the change is acknowledged, and restored by {@link #start()}.
     *
     * @param file the state file; its directory must exist
     * @return this builder
     */
    public Builder stateFile(Path file) {
      this.stateFile = file;
      return this;
    }

    /**
     * Keeps the API's records in a state shared by several processes instead of this process
     * alone: changing actions become compare-and-swaps on it (see {@link SharedApiState}). Not
     * together with a {@link #stateFile}.
     *
     * @param state the shared state
     * @param applyWait how long a changing action waits for this process to run its result before
     *     it answers (1 ms to 1 minute; the change is made either way)
     * @return this builder
     * @throws IllegalArgumentException when {@code applyWait} is out of range
     */
    public Builder sharedState(SharedApiState state, Duration applyWait) {
      if (applyWait.compareTo(Duration.ofMillis(1)) < 0 || applyWait.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("awsApi.sharedApplyWait: " + applyWait + " (expected: 1 ms to 1 minute)");
      }
      this.sharedState = state;
      this.sharedApplyWait = applyWait;
      return this;
    }

    /**
     * The statistics store CloudWatch's {@code GetMetricStatistics} and {@code ListMetrics} read
     * (the one the transport records into); without one they answer with no data.
     *
     * @param store the statistics store
     * @return this builder
     */
    public Builder metrics(MetricStore store) {
      this.metrics = store;
      return this;
    }

    /**
     * The clock signatures are checked against and creation times come from.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The source of resource ids and request ids.
     *
     * @param random the random source
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = random;
      return this;
    }

    /**
     * The largest request accepted, in bytes (1 KiB-64 MiB; default 1 MiB); larger ones get 413.
     *
     * @param bytes the limit in bytes
     * @return this builder
     */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1024 || bytes > 64 << 20) {
        throw new IllegalArgumentException("awsApi.maxRequestBytes: " + bytes + " (expected: 1024-67108864)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /**
     * How many requests may wait for the operations thread (1-65536; default 256); one more is
     * answered at once with {@code ThrottlingException}.
     *
     * @param requests the queue length
     * @return this builder
     */
    public Builder maxPendingRequests(int requests) {
      if (requests < 1 || requests > 65536) {
        throw new IllegalArgumentException("awsApi.maxPendingRequests: " + requests + " (expected: 1-65536)");
      }
      this.maxPendingRequests = requests;
      return this;
    }

    /**
     * How long a connection may send nothing before it is closed (default 60 s).
     *
     * @param timeout the idle time, positive
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("awsApi.readTimeout: " + timeout + " (expected: positive)");
      }
      this.readTimeout = timeout;
      return this;
    }

    /**
     * Builds the endpoint (not yet bound: call {@link AwsApiServer#start()}).
     *
     * @return the endpoint
     * @throws IllegalArgumentException if no access key is configured
     */
    public AwsApiServer build() {
      if (accessKeys.isEmpty()) {
        throw new IllegalArgumentException("awsApi.accessKeys: [] (expected: at least one access key; unsigned "
            + "requests are always refused)");
      }
      if (stateFile != null && sharedState != null) {
        throw new IllegalArgumentException("awsApi.stateFile: " + stateFile + " (expected: absent with a shared state, "
            + "which keeps the API's records instead)");
      }
      return new AwsApiServer(this, new LinkedHashMap<>(subnets));
    }
  }
}
