package io.nlb.proxyprotocol;

/**
 * Whether a decoded header carried a {@code PP2_TYPE_CRC32C} TLV and whether it checked out.
 *
 * <p>A {@link ProxyHeaderParser} built with {@code requireValidCrc32c(true)} (the default)
 * rejects a header whose checksum is wrong, so only {@link #NONE} and {@link #VALID} reach the
 * application; with {@code false} the header is returned marked {@link #INVALID} and the
 * application decides. Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum Crc32cStatus {
  /** The header had no checksum (every version 1 header, and version 2 headers without one). */
  NONE,
  /** The checksum matched the header. */
  VALID,
  /** The checksum did not match; the specification says to abort the connection. */
  INVALID
}
