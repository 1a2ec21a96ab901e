package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import org.jspecify.annotations.Nullable;

/**
 * Bytes that are not a valid PROXY protocol header: the one exception every decoding API of this
 * module throws for bad input.
 *
 * <p>The message names the field, the value found and what was expected, then the offset of the
 * offending byte, counted from the first byte the decoding call looked at (so the second of two
 * stacked headers reports offsets past the end of the first):
 *
 * <pre>{@code
 * command: 0x7 (expected: 0x0 LOCAL or 0x1 PROXY) at byte 12
 * }</pre>
 *
 * <p>A header that is merely incomplete is never reported with this exception; the decoders say
 * "need more bytes" instead (see {@link ProxyHeaderParser}). The specification asks the receiver
 * to close the connection on this exception. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ProxyProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the bytes (serialized form). */
  private final String problem;
  /** The offset of the offending byte from the first byte read (serialized form). */
  private final long offset;

  /**
   * Creates an exception.
   *
   * @param problem what was wrong, as {@code "field: value (expected: ...)"}
   * @param offset the offset of the offending byte
   */
  public ProxyProtocolException(String problem, long offset) {
    super(problem + " at byte " + offset);
    this.problem = problem;
    this.offset = offset;
  }

  /** The exception for {@code field} holding {@code value} at {@code offset}; the text from {@link Problems}. */
  static ProxyProtocolException at(String field, @Nullable Object value, String expected, long offset) {
    return new ProxyProtocolException(Problems.message(field, value, expected), offset);
  }

  /** {@return what was wrong, without the offset} */
  public String problem() {
    return problem;
  }

  /** {@return the offset of the offending byte from the first byte the decoding call looked at} */
  public long offset() {
    return offset;
  }
}
