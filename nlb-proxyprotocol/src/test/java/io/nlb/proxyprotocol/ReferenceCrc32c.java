package io.nlb.proxyprotocol;

/**
 * CRC32c computed bit by bit straight from its definition (RFC 3720 / RFC 4960 appendix B),
 * written independently of {@link java.util.zip.CRC32C}, which the encoder uses, so each checks
 * the other.
 */
final class ReferenceCrc32c {
  private ReferenceCrc32c() {}

  static int of(byte[] data) {
    int crc = 0xFFFFFFFF;
    for (byte b : data) {
      crc ^= b & 0xFF;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return ~crc;
  }

  /**
   * Appends a CRC32C TLV to a version 2 header without one, as the specification describes: fix
   * the length, append the TLV with a zero checksum, checksum the whole, store it big-endian.
   */
  static byte[] withCrcTlv(byte[] header) {
    byte[] out = java.util.Arrays.copyOf(header, header.length + 7);
    int length = ((header[14] & 0xFF) << 8 | (header[15] & 0xFF)) + 7;
    out[14] = (byte) (length >>> 8);
    out[15] = (byte) length;
    out[header.length] = 0x03;
    out[header.length + 1] = 0x00;
    out[header.length + 2] = 0x04;
    int crc = of(out);
    out[header.length + 3] = (byte) (crc >>> 24);
    out[header.length + 4] = (byte) (crc >>> 16);
    out[header.length + 5] = (byte) (crc >>> 8);
    out[header.length + 6] = (byte) crc;
    return out;
  }
}
