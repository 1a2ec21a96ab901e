package io.nlb.transport.netty;

import io.netty.buffer.ByteBuf;

/**
 * Follows the TLS record layer of the bytes a client sends, header by header, without buffering
 * anything, and tells at the first header that announces more than TLS allows: the first record
 * (it carries the ClientHello, in plaintext) may hold at most 2^14 bytes, every later record at
 * most 2^14 + 2048 (RFC 5246 section 6.2.3; RFC 8446 section 5.2 allows 2^14 + 256). A record
 * length field can claim 65,535: without this check a listener would buffer that much per
 * connection before the TLS engine looks at it.
 *
 * <p>Bytes that are not TLS at all (another record type, an SSLv2-format hello, a major version
 * other than 3) end the check with {@link #NOT_TLS}: the TLS handlers reject them themselves.
 * Confined to one connection's event loop.
 */
final class TlsRecordCheck {
  /** The largest plaintext fragment: 2^14. */
  static final int MAX_PLAINTEXT = 1 << 14;
  /** The largest ciphertext fragment TLS 1.2 allows: 2^14 + 2048. */
  static final int MAX_CIPHERTEXT = (1 << 14) + 2048;

  static final int OK = 0;
  static final int NOT_TLS = 1;
  static final int TOO_LONG = 2;

  private int headerPos;
  private int lengthHigh;
  private int remaining;
  private boolean first = true;
  private boolean off;
  /** The length announced by the last header read. */
  private int lastLength;

  /** Checks {@code b}'s readable bytes (indices only; the buffer is not changed). */
  int check(ByteBuf b) {
    if (off) {
      return OK;
    }
    int i = b.readerIndex();
    int end = b.writerIndex();
    while (i < end) {
      if (remaining > 0) {
        int skip = Math.min(remaining, end - i);
        remaining -= skip;
        i += skip;
        continue;
      }
      int v = b.getUnsignedByte(i++);
      switch (headerPos) {
        case 0:
          // change_cipher_spec(20), alert(21), handshake(22), application_data(23); the first is a handshake
          if (v < 20 || v > 23 || (first && v != 22)) {
            off = true;
            return NOT_TLS;
          }
          headerPos = 1;
          break;
        case 1:
          if (v != 3) {
            off = true;
            return NOT_TLS;
          }
          headerPos = 2;
          break;
        case 2:
          headerPos = 3;
          break;
        case 3:
          lengthHigh = v;
          headerPos = 4;
          break;
        default:
          headerPos = 0;
          int length = lengthHigh << 8 | v;
          lastLength = length;
          int max = first ? MAX_PLAINTEXT : MAX_CIPHERTEXT;
          first = false;
          if (length > max) {
            off = true;
            return TOO_LONG;
          }
          remaining = length;
          break;
      }
    }
    return OK;
  }

  /** The length announced by the last record header read (the offending one after {@link #TOO_LONG}). */
  int lastLength() {
    return lastLength;
  }

  /** Whether the first record header has been read completely. */
  boolean pastFirstHeader() {
    return !first;
  }
}
