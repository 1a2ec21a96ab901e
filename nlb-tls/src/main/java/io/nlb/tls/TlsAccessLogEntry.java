package io.nlb.tls;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One TLS connection as the access log records it, version {@code 2.0}. {@link #format()} writes
 * the documented fields in order, separated by single spaces, {@code -} for every absent value:
 *
 * <pre>
 * type version time elb listener client:port destination:port connection_time tls_handshake_time
 * received_bytes sent_bytes incoming_tls_alert chosen_cert_arn chosen_cert_serial tls_cipher
 * tls_protocol_version tls_named_group domain_name alpn_fe_protocol alpn_be_protocol
 * alpn_client_preference_list
 * </pre>
 *
 * <p>Adaptations, documented: {@code chosen_cert_arn} carries the certificate's {@link
 * TlsCertificate#id() id}; {@code chosen_cert_serial} and {@code tls_named_group} are reserved and
 * always {@code -}; {@code tls_protocol_version} is {@code tlsv13} for TLS 1.3 (the documented
 * values stop at {@code tlsv12}); {@code alpn_client_preference_list} quotes each URL-encoded
 * protocol id and joins them with a comma and no space, so the line still splits on spaces, and
 * is cut to 256 bytes.
 *
 * @param time when the connection ended
 * @param elb the load balancer's resource id ({@code net/my-nlb/50dc6c495c0c9188})
 * @param listener the listener's resource id
 * @param client the client's address and port
 * @param destination the listener's (or VPC endpoint's) address and port
 * @param connectionMillis from accept to close
 * @param handshakeMillis TLS handshake duration, or -1 if it did not complete
 * @param receivedBytes bytes from the client after decryption
 * @param sentBytes bytes to the client before encryption
 * @param incomingAlert the TLS alert received from the client, or -1
 * @param certificateId the id of the certificate served, or {@code null} without a valid ClientHello
 * @param cipher the negotiated suite, or {@code null} if negotiation did not complete
 * @param protocol the negotiated version, or {@code null}
 * @param domainName the SNI host name, or {@code null}
 * @param alpnFrontend the protocol negotiated with the client, or {@code null}
 * @param alpnBackend the protocol negotiated with the target, or {@code null}
 * @param alpnClientList the client's ALPN list, or {@code null} if absent or no ALPN policy
 * @since 0.1
 */
public record TlsAccessLogEntry(Instant time, String elb, String listener, InetSocketAddress client, InetSocketAddress destination,
    long connectionMillis, long handshakeMillis, long receivedBytes, long sentBytes, int incomingAlert,
    @Nullable String certificateId, @Nullable CipherSuite cipher, @Nullable TlsVersion protocol, @Nullable String domainName,
    @Nullable String alpnFrontend, @Nullable String alpnBackend, @Nullable List<String> alpnClientList) {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int MAX_ALPN_LIST_BYTES = 256;

  /** {@return the entry as one log line, without the line end} */
  public String format() {
    StringBuilder b = new StringBuilder(256);
    b.append("tls 2.0 ").append(TIME.format(time)).append(' ').append(elb).append(' ').append(listener).append(' ');
    address(b, client).append(' ');
    address(b, destination).append(' ');
    b.append(connectionMillis).append(' ');
    b.append(handshakeMillis < 0 ? "-" : Long.toString(handshakeMillis)).append(' ');
    b.append(receivedBytes).append(' ').append(sentBytes).append(' ');
    b.append(incomingAlert < 0 ? "-" : Integer.toString(incomingAlert)).append(' ');
    b.append(dash(certificateId)).append(' ');
    b.append("- ");
    b.append(cipher == null ? "-" : cipher.opensslName()).append(' ');
    b.append(protocol == null ? "-" : protocol.logName()).append(' ');
    b.append("- ");
    b.append(domainName == null || domainName.isEmpty() ? "-" : encode(domainName)).append(' ');
    b.append(dash(alpnFrontend)).append(' ');
    b.append(dash(alpnBackend)).append(' ');
    b.append(alpnClientList == null ? "-" : clientList(alpnClientList));
    return b.toString();
  }

  private static StringBuilder address(StringBuilder b, InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return b.append(host).append(':').append(a.getPort());
  }

  private static String dash(@Nullable String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String clientList(List<String> protocols) {
    StringBuilder b = new StringBuilder();
    for (String p : protocols) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append('"').append(encode(p)).append('"');
    }
    // ASCII only after URL encoding: characters and bytes agree.
    return b.length() > MAX_ALPN_LIST_BYTES ? b.substring(0, MAX_ALPN_LIST_BYTES) : b.toString();
  }
}
