package io.nlb.tls;

import io.nlb.common.Problems;
import io.nlb.common.WireNames;

/**
 * A TLS protocol version a security policy may allow. Each constant carries the name JSSE and
 * OpenSSL both use ({@code TLSv1.2}) and the spelling of the access log ({@code tlsv12}).
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum TlsVersion {
  /** TLS 1.0. */
  TLS_1_0("TLSv1", "tlsv10"),
  /** TLS 1.1. */
  TLS_1_1("TLSv1.1", "tlsv11"),
  /** TLS 1.2. */
  TLS_1_2("TLSv1.2", "tlsv12"),
  /** TLS 1.3. */
  TLS_1_3("TLSv1.3", "tlsv13");

  private final String protocolName;
  private final String logName;

  TlsVersion(String protocolName, String logName) {
    this.protocolName = protocolName;
    this.logName = logName;
  }

  /** {@return the protocol name as JSSE, OpenSSL and the policy tables spell it ({@code TLSv1.2})} */
  public String protocolName() {
    return protocolName;
  }

  /**
   * {@return the access-log spelling ({@code tlsv12})} The documented values stop at {@code tlsv12};
   * TLS 1.3 is logged as {@code tlsv13}.
   */
  public String logName() {
    return logName;
  }

  /**
   * {@return the version named {@code name} as JSSE or OpenSSL reports it ({@code TLSv1}, {@code TLSv1.3})}
   *
   * @param name the name
   * @throws IllegalArgumentException for any other name
   */
  public static TlsVersion ofProtocolName(String name) {
    return WireNames.lookup(values(), name, TlsVersion::protocolName)
        .orElseThrow(() -> Problems.invalid("protocol", name, "TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3"));
  }

  @Override
  public String toString() {
    return protocolName;
  }
}
