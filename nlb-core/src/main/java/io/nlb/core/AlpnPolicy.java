package io.nlb.core;

import io.nlb.common.WireNames;
import java.util.List;
import java.util.Locale;

/**
 * The ALPN policies of a TLS listener: which application protocols the load balancer offers in
 * the TLS handshake, in order of preference.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum AlpnPolicy {
  /** Offer only HTTP/1.x: http/1.1, then http/1.0. */
  HTTP1_ONLY("HTTP1Only", List.of("http/1.1", "http/1.0")),
  /** Offer only HTTP/2. */
  HTTP2_ONLY("HTTP2Only", List.of("h2")),
  /** Prefer HTTP/1.x over HTTP/2: http/1.1, http/1.0, h2. */
  HTTP2_OPTIONAL("HTTP2Optional", List.of("http/1.1", "http/1.0", "h2")),
  /** Prefer HTTP/2 over HTTP/1.x: h2, http/1.1, http/1.0. */
  HTTP2_PREFERRED("HTTP2Preferred", List.of("h2", "http/1.1", "http/1.0")),
  /** Do not negotiate ALPN (the default). */
  NONE("None", List.of());

  private final String apiName;
  private final List<String> protocols;

  AlpnPolicy(String apiName, List<String> protocols) {
    this.apiName = apiName;
    this.protocols = protocols;
  }

  /** {@return the policy name as the API spells it ({@code HTTP2Preferred})} */
  public String apiName() {
    return apiName;
  }

  /** {@return the ALPN protocol ids offered, most preferred first} */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * Parses a policy name as the API spells it, case-insensitively.
   *
   * @param field the name of the value, for the error message
   * @param value the value
   * @return the {@code AlpnPolicy}
   */
  public static AlpnPolicy parse(String field, String value) {
    return WireNames.lookup(values(), value.trim().toLowerCase(Locale.ROOT), p -> p.apiName.toLowerCase(Locale.ROOT))
        .orElseThrow(() -> Check.invalid(field, value, "HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred or None"));
  }

  @Override
  public String toString() {
    return apiName;
  }
}
