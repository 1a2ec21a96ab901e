package io.nlb.awsapi;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.nlb.core.Nlb;
import io.nlb.core.Zone;
import io.nlb.metrics.store.MetricStore;
import io.nlb.tls.PemCertificate;
import io.nlb.transport.netty.IoMode;
import io.nlb.transport.netty.NettyTransport;
import io.nlb.transport.netty.NettyTransportBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * A real data plane (NIO), an endpoint over it on loopback, and an SDK client signed with the
 * configured key. Closed after each test.
 */
final class ApiFixture implements AutoCloseable {
  static final String ACCESS_KEY = "AKIDNLBTESTEXAMPLE01";
  static final String SECRET = "nlb/test/secret+EXAMPLEKEY0123456789abc";
  static final String REGION = "us-east-2";
  static final String SUBNET_A = "subnet-0e3f5cac72example";
  static final String SUBNET_B = "subnet-0b1c2d3e4fexample";
  /** A subnet whose zone has an IPv6 node address too, for dualstack load balancers. */
  static final String SUBNET_DUAL = "subnet-0d0a1b2c3dexample";
  static final String CERT_ARN = "arn:aws:acm:us-east-2:123456789012:certificate/tls-demo";
  static final String TLS_HOST = "tls.example";
  /** One P-256 certificate per JVM: quick to make. */
  static final PemCertificate CERT = certificate(TLS_HOST);

  final Nlb nlb;
  final AwsApiServer api;
  final ElasticLoadBalancingV2Client elb;

  ApiFixture() {
    this(null, b -> { });
  }

  ApiFixture(@Nullable Path stateFile, Consumer<AwsApiServer.Builder> custom) {
    this(stateFile, custom, null);
  }

  ApiFixture(@Nullable Path stateFile, Consumer<AwsApiServer.Builder> custom, @Nullable MetricStore metrics) {
    NettyTransportBuilder tb = NettyTransport.builder().ioMode(IoMode.NIO).threads(1);
    if (metrics != null) {
      tb.metrics(metrics);
    }
    nlb = Nlb.builder().transport(tb.build().spi()).build();
    AwsApiServer.Builder b = AwsApiServer.builder(nlb).region(REGION).accessKey(ACCESS_KEY, SECRET)
        .subnet(Subnet.of(SUBNET_A, Zone.builder("us-east-2a").address("127.0.0.1").targetRange("127.0.0.0/8").build(),
            "127.0.0.3"))
        .subnet(Subnet.of(SUBNET_B, Zone.builder("us-east-2b").address("127.0.0.2").targetRange("10.0.2.0/24").build()))
        .subnet(Subnet.of(SUBNET_DUAL, Zone.builder("us-east-2c").address("127.0.0.4").address("::1")
            .targetRange("127.0.0.0/8").build()))
        .certificates(CertificateStore.of(Map.of(CERT_ARN, CERT)));
    if (stateFile != null) {
      b.stateFile(stateFile);
    }
    if (metrics != null) {
      b.metrics(metrics);
    }
    custom.accept(b);
    AwsApiServer server;
    try {
      server = b.build().start();
    } catch (RuntimeException e) {
      nlb.close();
      throw e;
    }
    api = server;
    elb = client(api.endpoint(), ACCESS_KEY, SECRET);
  }

  static ElasticLoadBalancingV2Client client(URI endpoint, String accessKey, String secret) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).retryStrategy(s -> s.maxAttempts(1)))
        .build();
  }

  static PemCertificate certificate(String name) {
    try {
      X509Bundle b = new CertificateBuilder().ecp256().subject("CN=" + name).addSanDnsName(name)
          .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(30, ChronoUnit.DAYS))
          .setIsCertificateAuthority(true).buildSelfSigned();
      return PemCertificate.parse(b.getCertificatePEM(), b.getPrivateKeyPEM());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts exactly {@link #CERT}. */
  static SSLContext trustingCert() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("c", CERT.chain().get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Override
  public void close() {
    elb.close();
    api.close();
    nlb.close();
  }
}
