package io.nlb.core.spi;

import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One health check to perform: where, how, and within what time. The health-check engine builds
 * one per check from the target group's {@link HealthCheck} settings and hands it to a {@link
 * HealthProbe}; tests and custom probes may build their own.
 *
 * <pre>{@code
 * ProbeRequest r = ProbeRequest.of(settings, new InetSocketAddress("10.0.1.5", 8080), "10.0.0.10:80");
 * }</pre>
 *
 * <p>Immutable and thread-safe (the preamble is copied in and out).
 *
 * @since 0.1
 */
public final class ProbeRequest {
  private static final byte[] NO_BYTES = new byte[0];

  private final HealthCheckProtocol protocol;
  private final InetSocketAddress address;
  private final String host;
  private final String path;
  private final HealthCheck.Matcher matcher;
  private final Duration timeout;
  private final byte[] preamble;

  private ProbeRequest(HealthCheckProtocol protocol, InetSocketAddress address, String host, String path,
      HealthCheck.Matcher matcher, Duration timeout, byte[] preamble) {
    this.protocol = protocol;
    this.address = address;
    this.host = host;
    this.path = path;
    this.matcher = matcher;
    this.timeout = timeout;
    this.preamble = preamble;
  }

  /**
   * {@return a request following {@code settings} (protocol, path, matcher, timeout) to {@code address}}
   *
   * @param host the HTTP {@code Host} header: the load balancer node's address and the listener's
   *     port ({@code 10.0.0.10:80}, {@code [fd00::1]:80}), not the target's
   * @param settings the health check settings
   * @param address the address
   */
  public static ProbeRequest of(HealthCheck settings, InetSocketAddress address, String host) {
    return new ProbeRequest(settings.protocol(), address, host, settings.path(), settings.matcher(), settings.timeout(), NO_BYTES);
  }

  /**
   * {@return the same request with another timeout (positive)}
   *
   * @param timeout the timeout
   */
  public ProbeRequest withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: a positive duration)");
    }
    return new ProbeRequest(protocol, address, host, path, matcher, timeout, preamble);
  }

  /**
   * {@return the same request with bytes written right after the TCP connection is established, before TLS
   * and HTTP (for instance a PROXY protocol v2 {@code LOCAL} header)}
   *
   * @param bytes the bytes
   */
  public ProbeRequest withPreamble(byte[] bytes) {
    return new ProbeRequest(protocol, address, host, path, matcher, timeout, bytes.length == 0 ? NO_BYTES : bytes.clone());
  }

  /** {@return TCP, HTTP or HTTPS} */
  public HealthCheckProtocol protocol() {
    return protocol;
  }

  /** {@return where to connect: the target's address and the health-check port} */
  public InetSocketAddress address() {
    return address;
  }

  /** {@return the {@code Host} header value (HTTP and HTTPS)} */
  public String host() {
    return host;
  }

  /** {@return the request path (HTTP and HTTPS)} */
  public String path() {
    return path;
  }

  /** {@return the status codes that count as success (HTTP and HTTPS)} */
  public HealthCheck.Matcher matcher() {
    return matcher;
  }

  /** {@return the time within which the check must complete: connect, TLS handshake and status line} */
  public Duration timeout() {
    return timeout;
  }

  /** {@return a copy of the bytes written first; empty for none} */
  public byte[] preamble() {
    return preamble.length == 0 ? NO_BYTES : preamble.clone();
  }

  /** {@return the number of bytes written first; 0 for none} */
  public int preambleLength() {
    return preamble.length;
  }

  @Override
  public String toString() {
    return protocol + " " + address + (protocol == HealthCheckProtocol.TCP ? "" : " " + path + " Host: " + host) + " timeout " + timeout;
  }
}
