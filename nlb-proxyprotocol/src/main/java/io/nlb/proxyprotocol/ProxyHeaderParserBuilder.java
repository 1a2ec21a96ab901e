package io.nlb.proxyprotocol;

import io.nlb.common.Problems;

/**
 * Configures a {@link ProxyHeaderParser}. Obtained from {@link ProxyHeaderParser#builder()}.
 *
 * <p>Not thread-safe; the parser it builds is.
 *
 * <pre>{@code
 * ProxyHeaderParser parser = ProxyHeaderParser.builder()
 *     .requireValidCrc32c(false)   // report Crc32cStatus.INVALID instead of throwing
 *     .maxHeaders(2)
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyHeaderParserBuilder {
  /** The largest value {@link #maxHeaders(int)} accepts. */
  public static final int MAX_HEADERS = 64;

  private boolean requireValidCrc32c = true;
  private int maxHeaders = 8;

  ProxyHeaderParserBuilder() {}

  /**
   * Whether a header whose {@code CRC32C} TLV does not match is rejected with {@link
   * ProxyProtocolException} (default: true) or returned marked {@link Crc32cStatus#INVALID}.
   *
   * @param requireValidCrc32c whether a header whose {@code CRC32C} TLV does not match is rejected with {@link ProxyProtocolException} (default: true) or returned marked {@link Crc32cStatus#INVALID}
   * @return this builder
   */
  public ProxyHeaderParserBuilder requireValidCrc32c(boolean requireValidCrc32c) {
    this.requireValidCrc32c = requireValidCrc32c;
    return this;
  }

  /**
   * The most headers accepted stacked at the start of one connection (default: 8); one more is
   * a {@link ProxyProtocolException}.
   *
   * @param maxHeaders the most headers accepted stacked at the start of one connection (default: 8); one more is a {@link ProxyProtocolException}
   * @return this builder
   * @throws IllegalArgumentException unless 1-64
   */
  public ProxyHeaderParserBuilder maxHeaders(int maxHeaders) {
    this.maxHeaders = Problems.range("maxHeaders", maxHeaders, 1, MAX_HEADERS);
    return this;
  }

  /**
   * The parser.
   *
   * @return the new {@code ProxyHeaderParser}
   */
  public ProxyHeaderParser build() {
    return new ProxyHeaderParser(requireValidCrc32c, maxHeaders);
  }
}
