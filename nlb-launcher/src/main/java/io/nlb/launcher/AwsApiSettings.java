package io.nlb.launcher;

import io.nlb.awsapi.AwsApiServer;
import io.nlb.awsapi.CertificateStore;
import io.nlb.awsapi.Subnet;
import io.nlb.core.Nlb;
import io.nlb.metrics.store.MetricStore;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The optional top-level {@code awsApi} key of the launcher's file: the AWS API endpoint
 * ({@link AwsApiServer}, module {@code nlb-aws-api}) started with the daemon, so that the AWS CLI
 * and SDKs create load balancers next to the file's.
 *
 * <pre>{@code
 * awsApi:
 *   port: 4566
 *   region: us-east-2
 *   accessKeys:
 *     - {id: AKIDNLBEXAMPLE000001, secretFile: aws-secret.txt}
 *   subnets:
 *     - {id: subnet-0e3f5cac72EXAMPLE, zone: zone-a}   # a zone of the file's load balancers
 *   stateFile: aws-api.state
 * }</pre>
 *
 * <p>Absent means no endpoint. Two settings are equal when the {@code awsApi} sections they were
 * read from are equal (a reload that changes the section is refused: it needs a restart).
 * Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class AwsApiSettings {
  private final InetAddress address;
  private final int port;
  private final String region;
  private final String accountId;
  private final Map<String, String> accessKeys;
  private final List<Subnet> subnets;
  private final CertificateStore certificates;
  private final @Nullable Path stateFile;
  private final String definition;

  AwsApiSettings(InetAddress address, int port, String region, String accountId, Map<String, String> accessKeys,
      List<Subnet> subnets, CertificateStore certificates, @Nullable Path stateFile, String definition) {
    this.address = address;
    this.port = port;
    this.region = region;
    this.accountId = accountId;
    this.accessKeys = Map.copyOf(accessKeys);
    this.subnets = List.copyOf(subnets);
    this.certificates = certificates;
    this.stateFile = stateFile;
    this.definition = definition;
  }

  /** {@return the address the endpoint binds ({@code 127.0.0.1} unless given)} */
  public InetAddress address() {
    return address;
  }

  /** {@return the port (0 picks a free one)} */
  public int port() {
    return port;
  }

  /** {@return the region requests are signed for} */
  public String region() {
    return region;
  }

  /** {@return the account id in ARNs} */
  public String accountId() {
    return accountId;
  }

  /** {@return the subnets requests may name} */
  public List<Subnet> subnets() {
    return subnets;
  }

  /** {@return the state file, resolved against the configuration file's directory; {@code null}: none} */
  public @Nullable Path stateFile() {
    return stateFile;
  }

  /**
   * A builder for the endpoint over {@code nlb} with these settings, CloudWatch answering from
   * {@code metrics}.
   */
  AwsApiServer.Builder builder(Nlb nlb, MetricStore metrics) {
    AwsApiServer.Builder b = AwsApiServer.builder(nlb).bindAddress(address).port(port).region(region).accountId(accountId)
        .metrics(metrics);
    accessKeys.forEach(b::accessKey);
    subnets.forEach(b::subnet);
    b.certificates(certificates);
    if (stateFile != null) {
      b.stateFile(stateFile);
    }
    return b;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AwsApiSettings other && other.definition.equals(definition);
  }

  @Override
  public int hashCode() {
    return definition.hashCode();
  }

  @Override
  public String toString() {
    return "awsApi{" + address.getHostAddress() + ":" + port + ", region " + region + ", " + subnets.size() + " subnets}";
  }
}
