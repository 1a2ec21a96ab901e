package io.nlb.proxyprotocol;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.nlb.common.Problems;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The decoder's core: finding where a header ends (framing), telling whether bytes start a header
 * (detection) and turning a framed header into a {@link ProxyHeader}.
 *
 * <p>Works on absolute indexes of a {@link ByteBuffer} and never moves its position. Offsets in
 * exceptions are {@code index + shift}, so callers decide what offset zero is. Framing gives its
 * verdict as early as the bytes allow: a header is rejected at the first byte that cannot belong
 * to one, and "need more" is only answered while fewer bytes than the header's announced length
 * (at most 16 + 65,535, or 107 for version 1) are present.
 */
final class Wire {
  static final int NEED_MORE = -1;

  /** Detection results. */
  static final int NONE = 0;
  static final int V1 = 1;
  static final int V2 = 2;

  static final int V1_MAX_LENGTH = 107;
  static final int V2_MAX_LENGTH = ProxyV2Encoder.FIXED_LENGTH + ProxyV2Encoder.MAX_LENGTH_FIELD;

  private static final byte[] SIGNATURE = ProxyV2Encoder.SIGNATURE;
  private static final byte[] V1_PREFIX = "PROXY ".getBytes(US_ASCII);
  private static final byte[] ZEROS = new byte[4];
  private static final String V1_SHAPE =
      "PROXY <TCP4 or TCP6> <source> <destination> <source port> <destination port>";

  private Wire() {}

  /** A byte in hex for a message, shown without quotes: {@code 0x0D}. */
  static Object hex(int b) {
    return Problems.raw(String.format("0x%02X", b & 0xFF));
  }

  /** Whether the bytes at {@code pos} start a header: V1, V2, NONE or NEED_MORE. */
  static int detect(ByteBuffer b, int pos, int limit) {
    if (pos >= limit) {
      return NEED_MORE;
    }
    byte first = b.get(pos);
    byte[] expected = first == SIGNATURE[0] ? SIGNATURE : first == V1_PREFIX[0] ? V1_PREFIX : null;
    if (expected == null) {
      return NONE;
    }
    int n = Math.min(limit - pos, expected.length);
    for (int i = 1; i < n; i++) {
      if (b.get(pos + i) != expected[i]) {
        return NONE;
      }
    }
    if (n < expected.length) {
      return NEED_MORE;
    }
    return expected == SIGNATURE ? V2 : V1;
  }

  /**
   * The length of the complete header at {@code pos}, or NEED_MORE.
   *
   * @throws ProxyProtocolException as soon as the bytes present cannot start a valid header
   */
  static int frame(ByteBuffer b, int pos, int limit, long shift) {
    if (pos >= limit) {
      return NEED_MORE;
    }
    int first = b.get(pos) & 0xFF;
    if (first == SIGNATURE[0]) {
      return frameV2(b, pos, limit, shift);
    }
    if (first == V1_PREFIX[0]) {
      return frameV1(b, pos, limit, shift);
    }
    throw ProxyProtocolException.at("signature[0]", hex(first),
        "0x0D of a version 2 signature or 'P' of \"PROXY \"", pos + shift);
  }

  /**
   * Checks the bytes after the first (which chose the version) against {@code prefix}, as far as
   * they have arrived; a mismatch names {@code field[i]}, the byte found and the one expected.
   */
  private static void checkPrefix(ByteBuffer b, int pos, int avail, byte[] prefix, String field, String note, long shift) {
    int n = Math.min(avail, prefix.length);
    for (int i = 1; i < n; i++) {
      int v = b.get(pos + i) & 0xFF;
      if (v != prefix[i]) {
        throw ProxyProtocolException.at(field + "[" + i + "]", hex(v), hex(prefix[i]) + note, pos + i + shift);
      }
    }
  }

  private static int frameV2(ByteBuffer b, int pos, int limit, long shift) {
    int avail = limit - pos;
    checkPrefix(b, pos, avail, SIGNATURE, "signature", "", shift);
    if (avail < 13) {
      return NEED_MORE;
    }
    int verCmd = b.get(pos + 12) & 0xFF;
    if (verCmd >>> 4 != 2) {
      throw ProxyProtocolException.at("version", verCmd >>> 4, "2", pos + 12 + shift);
    }
    int command = verCmd & 0xF;
    if (command > 1) {
      throw ProxyProtocolException.at("command", Problems.raw("0x" + Integer.toHexString(command)),
          "0x0 LOCAL or 0x1 PROXY", pos + 12 + shift);
    }
    if (avail < 14) {
      return NEED_MORE;
    }
    int fam = b.get(pos + 13) & 0xFF;
    ProxiedProtocol protocol = ProxiedProtocol.fromWire(fam);
    // LOCAL ignores the family (spec 2.2), so only PROXY headers need a known one.
    if (protocol == null && command == 1) {
      throw ProxyProtocolException.at("protocol", hex(fam),
          "0x00, 0x11, 0x12, 0x21, 0x22, 0x31 or 0x32", pos + 13 + shift);
    }
    if (avail < ProxyV2Encoder.FIXED_LENGTH) {
      return NEED_MORE;
    }
    int length = (b.get(pos + 14) & 0xFF) << 8 | (b.get(pos + 15) & 0xFF);
    if (protocol != null && command == 1 && length < protocol.addressBlockLength()) {
      throw ProxyProtocolException.at("length", length,
          ">= " + protocol.addressBlockLength() + " for " + protocol, pos + 14 + shift);
    }
    int total = ProxyV2Encoder.FIXED_LENGTH + length;
    return avail < total ? NEED_MORE : total;
  }

  private static int frameV1(ByteBuffer b, int pos, int limit, long shift) {
    int avail = limit - pos;
    checkPrefix(b, pos, avail, V1_PREFIX, "v1.prefix", " of \"PROXY \"", shift);
    int end = Math.min(limit, pos + V1_MAX_LENGTH);
    for (int i = pos + V1_PREFIX.length; i < end; i++) {
      int c = b.get(i) & 0xFF;
      if (c == '\r') {
        if (i + 2 - pos > V1_MAX_LENGTH) {
          break;
        }
        if (i + 1 >= limit) {
          return NEED_MORE;
        }
        int next = b.get(i + 1) & 0xFF;
        if (next != '\n') {
          throw ProxyProtocolException.at("v1.line", Problems.raw(hex(next) + " after CR"), "LF", i + 1 + shift);
        }
        return i + 2 - pos;
      }
      if (c == '\n') {
        throw ProxyProtocolException.at("v1.line", Problems.raw("LF without CR"), "CRLF", i + shift);
      }
      if (c < 0x20 || c > 0x7E) {
        throw ProxyProtocolException.at("v1.line", hex(c), "printable US-ASCII", i + shift);
      }
    }
    if (avail >= V1_MAX_LENGTH) {
      throw ProxyProtocolException.at("v1.line", Problems.raw("no CRLF"), "CRLF within " + V1_MAX_LENGTH + " bytes",
          pos + V1_MAX_LENGTH - 1 + shift);
    }
    return NEED_MORE;
  }

  /**
   * Decodes the header framed at {@code b[pos, pos + total)}.
   *
   * @throws ProxyProtocolException if a field is invalid
   */
  static ProxyHeader parse(ByteBuffer b, int pos, int total, long shift,
      boolean requireValidCrc32c) {
    return b.get(pos) == SIGNATURE[0]
        ? parseV2(b, pos, total, shift, requireValidCrc32c)
        : parseV1(b, pos, total, shift);
  }

  private static ProxyHeader parseV2(ByteBuffer b, int pos, int total, long shift,
      boolean requireValidCrc32c) {
    ProxyCommand command = (b.get(pos + 12) & 0xF) == 0 ? ProxyCommand.LOCAL : ProxyCommand.PROXY;
    ProxiedProtocol protocol = ProxiedProtocol.fromWire(b.get(pos + 13) & 0xFF);
    int length = total - ProxyV2Encoder.FIXED_LENGTH;
    if (protocol == null || length < protocol.addressBlockLength()) {
      // Only LOCAL gets here (framing rejects such PROXY headers). The receiver must skip the
      // block and use the real endpoints; with no known layout there are no TLVs to find.
      return new ProxyHeader(ProxyVersion.V2, command, ProxiedProtocol.UNSPEC, new byte[0],
          ProxyTlvBlock.empty(), Crc32cStatus.NONE);
    }
    int addressAt = pos + ProxyV2Encoder.FIXED_LENGTH;
    byte[] block = new byte[protocol.addressBlockLength()];
    b.get(addressAt, block);
    int tlvAt = addressAt + block.length;
    int end = pos + total;
    List<ProxyTlv> tlvs = Tlvs.parse(b, tlvAt, end, shift, "");
    Crc32cStatus crc = Crc32cStatus.NONE;
    int crcValueAt = -1;
    for (int i = tlvAt; i < end; i += 3 + ((b.get(i + 1) & 0xFF) << 8 | (b.get(i + 2) & 0xFF))) {
      if ((b.get(i) & 0xFF) == TlvType.CRC32C.wireByte()) {
        if (crcValueAt >= 0) {
          throw ProxyProtocolException.at("tlv[CRC32C]", Problems.raw("a second one"), "at most one", i + shift);
        }
        crcValueAt = i + 3;
      }
    }
    if (crcValueAt >= 0) {
      int received = b.getInt(crcValueAt);
      int computed = crc32c(b, pos, end, crcValueAt);
      if (received == computed) {
        crc = Crc32cStatus.VALID;
      } else if (requireValidCrc32c) {
        throw ProxyProtocolException.at("crc32c", Problems.raw(String.format("0x%08X", received)),
            String.format("0x%08X", computed), crcValueAt + shift);
      } else {
        crc = Crc32cStatus.INVALID;
      }
    }
    return new ProxyHeader(ProxyVersion.V2, command, protocol, block, ProxyTlvBlock.of(tlvs), crc);
  }

  /** The CRC32c of {@code b[from, to)} with the four bytes at {@code zeroAt} read as zero. */
  private static int crc32c(ByteBuffer b, int from, int to, int zeroAt) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = b.duplicate();
    view.limit(zeroAt).position(from);
    crc.update(view);
    crc.update(ZEROS);
    view.limit(to).position(zeroAt + 4);
    crc.update(view);
    return (int) crc.getValue();
  }

  private static ProxyHeader parseV1(ByteBuffer b, int pos, int total, long shift) {
    byte[] bytes = new byte[total - 2];
    b.get(pos, bytes);
    String line = new String(bytes, US_ASCII); // framing checked: printable ASCII only
    long at = pos + shift;
    int i = V1_PREFIX.length;
    int end = token(line, i);
    String name = line.substring(i, end);
    if (name.equals("UNKNOWN")) {
      // The receiver must ignore anything between UNKNOWN and CRLF (spec 2.1).
      return new ProxyHeader(ProxyVersion.V1, ProxyCommand.PROXY, ProxiedProtocol.UNSPEC,
          new byte[0], ProxyTlvBlock.empty(), Crc32cStatus.NONE);
    }
    ProxiedProtocol protocol;
    if (name.equals("TCP4")) {
      protocol = ProxiedProtocol.TCP4;
    } else if (name.equals("TCP6")) {
      protocol = ProxiedProtocol.TCP6;
    } else {
      throw ProxyProtocolException.at("v1.protocol", name, "TCP4, TCP6 or UNKNOWN", at + i);
    }
    int len = protocol.family().addressLength();
    byte[] block = new byte[protocol.addressBlockLength()];
    String[] fields = {"v1.source", "v1.destination", "v1.sourcePort", "v1.destinationPort"};
    for (int f = 0; f < 4; f++) {
      if (end >= line.length()) {
        throw ProxyProtocolException.at(fields[f], Problems.raw("missing"), V1_SHAPE, at + line.length());
      }
      i = end + 1; // past exactly one space
      end = token(line, i);
      if (f < 2) {
        byte[] ip = protocol == ProxiedProtocol.TCP4
            ? TextAddresses.ipv4(line, i, end)
            : TextAddresses.ipv6(line, i, end);
        if (ip == null) {
          throw ProxyProtocolException.at(fields[f], line.substring(i, end),
              protocol == ProxiedProtocol.TCP4
                  ? "an IPv4 address such as 192.0.2.1" : "an IPv6 address such as 2001:db8::1",
              at + i);
        }
        System.arraycopy(ip, 0, block, f * len, len);
      } else {
        int port = TextAddresses.port(line, i, end);
        if (port < 0) {
          throw ProxyProtocolException.at(fields[f], line.substring(i, end),
              "0-65535 without leading zeros", at + i);
        }
        block[2 * len + 2 * (f - 2)] = (byte) (port >>> 8);
        block[2 * len + 2 * (f - 2) + 1] = (byte) port;
      }
    }
    if (end < line.length()) {
      throw ProxyProtocolException.at("v1.line", line.substring(end), "CRLF after the destination port",
          at + end);
    }
    return new ProxyHeader(ProxyVersion.V1, ProxyCommand.PROXY, protocol, block,
        ProxyTlvBlock.empty(), Crc32cStatus.NONE);
  }

  /** The end of the token starting at {@code from}: the next space or the end of the line. */
  private static int token(String line, int from) {
    int sp = line.indexOf(' ', from);
    return sp < 0 ? line.length() : sp;
  }
}
