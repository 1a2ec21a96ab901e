package io.nlb.proxyprotocol;

/**
 * The PROXY protocol version a header was received in.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum ProxyVersion {
  /** The human-readable line, {@code "PROXY TCP4 ...\r\n"}. Decoded, never encoded. */
  V1,
  /** The binary header with the 12-byte signature. */
  V2
}
