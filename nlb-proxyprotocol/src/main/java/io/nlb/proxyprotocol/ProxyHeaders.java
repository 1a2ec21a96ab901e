package io.nlb.proxyprotocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The headers found at the start of a connection, in wire order, never empty: {@link #first()}
 * was written by the nearest proxy (the load balancer); any later ones were stacked behind it,
 * for instance sent by the client itself, and are only as trustworthy as their sender.
 *
 * <p>The static methods decode with {@link ProxyHeaderParser#defaults()}. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * InputStream in = new BufferedInputStream(socket.getInputStream());
 * ProxyHeaders headers = ProxyHeaders.read(in);     // in now at the payload
 * ProxyHeader header = headers.first();
 * InetSocketAddress client = header.source();
 * String vpce = header.vpcEndpointId();
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyHeaders {
  private final List<ProxyHeader> headers;

  ProxyHeaders(List<ProxyHeader> headers) {
    this.headers = List.copyOf(headers);
  }

  /**
   * Reads the headers at the start of {@code in}; see {@link ProxyHeaderParser#read}.
   *
   * @param in the input
   * @return the {@code ProxyHeaders}
   * @throws ProxyProtocolException if the bytes are not a valid header
   * @throws IOException if reading fails or the stream ends inside a header
   */
  public static ProxyHeaders read(InputStream in) throws IOException {
    return ProxyHeaderParser.defaults().read(in);
  }

  /**
   * Decodes the headers at the position of {@code in}, or answers {@code null} if more bytes are
   * needed; see {@link ProxyHeaderParser#parse}.
   *
   * @param in the input
   * @return the {@code ProxyHeaders}
   * @throws ProxyProtocolException if the bytes are not a valid header
   */
  public static @Nullable ProxyHeaders parse(ByteBuffer in) {
    return ProxyHeaderParser.defaults().parse(in);
  }

  /** {@return the header written by the nearest proxy} */
  public ProxyHeader first() {
    return headers.get(0);
  }

  /** {@return every header, in wire order} */
  public List<ProxyHeader> all() {
    return headers;
  }

  /** {@return the number of headers, at least 1} */
  public int size() {
    return headers.size();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ProxyHeaders && ((ProxyHeaders) o).headers.equals(headers);
  }

  @Override
  public int hashCode() {
    return headers.hashCode();
  }

  @Override
  public String toString() {
    return "ProxyHeaders" + headers;
  }
}
