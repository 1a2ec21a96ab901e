package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decodes PROXY protocol headers, version 2 and version 1, for applications behind a proxy that
 * do not use Netty (those use {@link ProxyProtocolDecoder}).
 *
 * <p><b>Stacked headers.</b> A connection may start with several headers: a load balancer
 * prepends its own and passes on, untouched, one the client sent. They are returned in wire
 * order, so {@link ProxyHeaders#first()} is the one written by the nearest proxy, the only one
 * as trustworthy as that proxy; later ones are only as trustworthy as whoever sent them.
 *
 * <p><b>Bad input and bounds.</b> Bytes that cannot be a header raise {@link
 * ProxyProtocolException} at the first offending byte; nothing else is thrown for bad input. A
 * truncated header is not an error: the {@code ByteBuffer} methods answer {@code null} ("need
 * more bytes") and the stream method keeps reading. The parser never needs more than one header
 * to reach a verdict: at most 16 + 65,535 bytes for version 2, 107 for version 1.
 *
 * <p><b>Checksum.</b> A {@code CRC32C} TLV is checked against the header. By default a mismatch
 * is a {@link ProxyProtocolException}, as the specification requires the connection to be
 * dropped; with {@code requireValidCrc32c(false)} the header is returned with {@link
 * Crc32cStatus#INVALID}.
 *
 * <p><b>Where the specification leaves a choice.</b> A {@code LOCAL} header is accepted whatever
 * its family byte (the receiver must ignore it); if the family is unknown or the block too short
 * for it, its bytes are skipped and it reads as {@code LOCAL UNSPEC} without TLVs. A {@code
 * PROXY} header must name one of the seven listed protocol bytes. For {@code UNSPEC}, everything
 * after the 16-byte fixed part is read as TLVs. TLVs of unknown types are kept raw; registered
 * types must follow their rules ({@code CRC32C}: 4 bytes and at most one; {@code UNIQUE_ID}: at
 * most 128 bytes; {@code SSL}: 5 bytes and well-formed sub-TLVs). A version 1 line must match
 * the specification exactly: single spaces, no leading zeros, CRLF within 107 bytes; after
 * {@code UNKNOWN} anything up to CRLF is ignored.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * // Blocking socket:
 * InputStream in = new BufferedInputStream(socket.getInputStream());
 * ProxyHeader header = ProxyHeaderParser.defaults().read(in).first();
 * InetSocketAddress client = header.source();  // in is now positioned at the payload
 *
 * // Non-blocking, with a buffer you fill:
 * ProxyHeaders headers = ProxyHeaderParser.defaults().parse(buffer);
 * if (headers == null) { readMore(); }
 * }</pre>
 *
 * @since 0.1
 */
public final class ProxyHeaderParser {
  private static final ProxyHeaderParser DEFAULTS = new ProxyHeaderParser(true, 8);

  private final boolean requireValidCrc32c;
  private final int maxHeaders;

  ProxyHeaderParser(boolean requireValidCrc32c, int maxHeaders) {
    this.requireValidCrc32c = requireValidCrc32c;
    this.maxHeaders = maxHeaders;
  }

  /** {@return the parser that rejects bad checksums and accepts up to 8 stacked headers} */
  public static ProxyHeaderParser defaults() {
    return DEFAULTS;
  }

  /**
   * A builder for a parser with other settings.
   *
   * @return a new builder
   */
  public static ProxyHeaderParserBuilder builder() {
    return new ProxyHeaderParserBuilder();
  }

  /** {@return whether a header with a wrong checksum is rejected rather than marked INVALID} */
  public boolean requireValidCrc32c() {
    return requireValidCrc32c;
  }

  /** {@return the most stacked headers accepted on one connection} */
  public int maxHeaders() {
    return maxHeaders;
  }

  /**
   * Decodes the one header at the position of {@code in}, ignoring what follows it.
   *
   * @param in the input
   * @return the header, with the position advanced past it; or {@code null} if {@code in} holds
   *     only the beginning of a header, with the position unchanged
   * @throws ProxyProtocolException if the bytes cannot be a header (offsets count from the
   *     position); the position is unchanged
   */
  public @Nullable ProxyHeader parseOne(ByteBuffer in) {
    int pos = in.position();
    int length = Wire.frame(in, pos, in.limit(), -pos);
    if (length == Wire.NEED_MORE) {
      return null;
    }
    ProxyHeader header = Wire.parse(in, pos, length, -pos, requireValidCrc32c);
    in.position(pos + length);
    return header;
  }

  /**
   * Decodes the header at the position of {@code in} and every header stacked right behind it.
   *
   * <p>After a header, the next bytes are another header if they begin with the version 2
   * signature or {@code "PROXY "}. If {@code in} ends right after a header, that header is the
   * last; if it ends with a few bytes that may or may not begin another header, the answer is
   * "need more".
   *
   * @param in the input
   * @return the headers, with the position advanced to the first byte after them (the payload);
   *     or {@code null} if more bytes are needed, with the position unchanged (call again with
   *     the same bytes and more)
   * @throws ProxyProtocolException if the bytes cannot be a header or more than {@link
   *     #maxHeaders()} are stacked; the position is unchanged
   */
  public @Nullable ProxyHeaders parse(ByteBuffer in) {
    int start = in.position();
    int pos = start;
    int limit = in.limit();
    List<ProxyHeader> headers = new ArrayList<>(2);
    while (true) {
      if (!headers.isEmpty()) {
        if (pos == limit) {
          break;
        }
        int next = Wire.detect(in, pos, limit);
        if (next == Wire.NEED_MORE) {
          return null;
        }
        if (next == Wire.NONE) {
          break;
        }
        checkCount(headers.size(), pos - start);
      }
      int length = Wire.frame(in, pos, limit, -start);
      if (length == Wire.NEED_MORE) {
        return null;
      }
      headers.add(Wire.parse(in, pos, length, -start, requireValidCrc32c));
      pos += length;
    }
    in.position(pos);
    return new ProxyHeaders(headers);
  }

  /**
   * Reads the header at the start of {@code in} and every header stacked right behind it,
   * leaving {@code in} positioned at the first byte of the payload. Blocks until the headers are
   * complete.
   *
   * <p>The stream is read exactly: version 2 headers by their announced length, version 1 lines
   * byte by byte up to CRLF. To look for a further header the method peeks with {@link
   * InputStream#mark mark}/{@link InputStream#reset reset}, hence needs a stream that supports
   * them, such as {@link java.io.BufferedInputStream}. It looks only if a byte is {@link
   * InputStream#available() available} when a header ends, so a protocol where the server
   * speaks first is never blocked waiting for a client that stays silent; a stacked header sent
   * in a later segment than the end of the previous one is then left in the payload.
   *
   * @param in the input
   * @return the {@code ProxyHeaders}
   * @throws IllegalArgumentException if {@code in} does not support mark/reset
   * @throws ProxyProtocolException if the bytes cannot be a header (offsets count from the first
   *     byte read) or more than {@link #maxHeaders()} are stacked
   * @throws EOFException if the stream ends inside a header
   * @throws IOException if reading fails
   */
  public ProxyHeaders read(InputStream in) throws IOException {
    if (!in.markSupported()) {
      throw Problems.invalid("in", in.getClass().getName(),
          "a stream that supports mark/reset, such as a BufferedInputStream");
    }
    List<ProxyHeader> headers = new ArrayList<>(2);
    long offset = 0;
    while (true) {
      if (!headers.isEmpty()) {
        if (in.available() <= 0 || peek(in) == Wire.NONE) {
          break;
        }
        checkCount(headers.size(), offset);
      }
      byte[] bytes = readHeaderBytes(in, offset);
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      headers.add(Wire.parse(buf, 0, bytes.length, offset, requireValidCrc32c));
      offset += bytes.length;
    }
    return new ProxyHeaders(headers);
  }

  private void checkCount(int count, long offset) {
    if (count >= maxHeaders) {
      throw ProxyProtocolException.at("headers", Problems.raw("more than " + maxHeaders + " stacked"),
          "at most " + maxHeaders, offset);
    }
  }

  /** Detects without consuming: V1, V2 or NONE (a stream that ends is NONE). */
  private static int peek(InputStream in) throws IOException {
    byte[] probe = new byte[ProxyV2Encoder.SIGNATURE.length];
    in.mark(probe.length);
    try {
      int n = 0;
      while (true) {
        int kind = Wire.detect(ByteBuffer.wrap(probe), 0, n);
        if (kind != Wire.NEED_MORE) {
          return kind;
        }
        int c = in.read();
        if (c < 0) {
          return Wire.NONE;
        }
        probe[n++] = (byte) c;
      }
    } finally {
      in.reset();
    }
  }

  /** Reads exactly one framed header, checking as it goes. */
  private static byte[] readHeaderBytes(InputStream in, long offset) throws IOException {
    int first = in.read();
    if (first < 0) {
      throw new EOFException("stream ended before a PROXY protocol header at byte " + offset);
    }
    if (first == ProxyV2Encoder.SIGNATURE[0]) {
      byte[] fixed = new byte[ProxyV2Encoder.FIXED_LENGTH];
      fixed[0] = (byte) first;
      readFully(in, fixed, 1, fixed.length - 1, offset);
      int length = Wire.frame(ByteBuffer.wrap(fixed), 0, fixed.length, offset);
      if (length == fixed.length) {
        return fixed;
      }
      int total = ProxyV2Encoder.FIXED_LENGTH + ((fixed[14] & 0xFF) << 8 | (fixed[15] & 0xFF));
      byte[] bytes = new byte[total];
      System.arraycopy(fixed, 0, bytes, 0, fixed.length);
      readFully(in, bytes, fixed.length, total - fixed.length, offset);
      return bytes;
    }
    byte[] line = new byte[Wire.V1_MAX_LENGTH];
    line[0] = (byte) first;
    int n = 1;
    while (true) {
      // Framing rejects at once what cannot be a line and ends by 107 bytes at the latest.
      int length = Wire.frame(ByteBuffer.wrap(line), 0, n, offset);
      if (length != Wire.NEED_MORE) {
        byte[] bytes = new byte[length];
        System.arraycopy(line, 0, bytes, 0, length);
        return bytes;
      }
      int c = in.read();
      if (c < 0) {
        throw new EOFException("stream ended " + n + " bytes into a PROXY protocol header"
            + " at byte " + offset);
      }
      line[n++] = (byte) c;
    }
  }

  private static void readFully(InputStream in, byte[] b, int off, int len, long offset)
      throws IOException {
    int done = 0;
    while (done < len) {
      int r = in.read(b, off + done, len - done);
      if (r < 0) {
        throw new EOFException("stream ended " + (off + done)
            + " bytes into a PROXY protocol header at byte " + offset);
      }
      done += r;
    }
  }
}
