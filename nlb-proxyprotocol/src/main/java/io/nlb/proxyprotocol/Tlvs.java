package io.nlb.proxyprotocol;

import io.nlb.common.Problems;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Parses and checks TLV sequences; shared by the decoder and by {@link ProxyTlv#of}. */
final class Tlvs {
  private Tlvs() {}

  /**
   * Parses the TLVs in {@code b[from, to)}, checking the registered types' rules.
   *
   * @param shift added to a buffer index to give the offset reported in exceptions
   * @param prefix prepended to field names in exceptions ({@code ""} or {@code "ssl."})
   */
  static List<ProxyTlv> parse(ByteBuffer b, int from, int to, long shift, String prefix) {
    List<ProxyTlv> out = new ArrayList<>(4);
    int i = from;
    while (i < to) {
      if (to - i < 3) {
        throw ProxyProtocolException.at(prefix + "tlv", Problems.raw((to - i) + " trailing bytes"),
            "a 3-byte type and length", i + shift);
      }
      int type = b.get(i) & 0xFF;
      int length = (b.get(i + 1) & 0xFF) << 8 | (b.get(i + 2) & 0xFF);
      int valueAt = i + 3;
      if (length > to - valueAt) {
        throw ProxyProtocolException.at(prefix + "tlv[" + Wire.hex(type) + "].length", length,
            "<= " + (to - valueAt) + ", the bytes left in the header", i + 1 + shift);
      }
      if (prefix.isEmpty()) {
        check(b, type, valueAt, length, i + 1 + shift, shift);
      }
      byte[] value = new byte[length];
      b.get(valueAt, value);
      out.add(ProxyTlv.wrap(type, value));
      i = valueAt + length;
    }
    return out;
  }

  /** Checks a value of a registered top-level type; unknown types pass. */
  static void check(ByteBuffer b, int type, int valueAt, int length, long lengthOffset,
      long shift) {
    if (type == TlvType.CRC32C.wireByte() && length != 4) {
      throw ProxyProtocolException.at("tlv[CRC32C].length", length, "4", lengthOffset);
    } else if (type == TlvType.UNIQUE_ID.wireByte() && length > ProxyTlv.MAX_UNIQUE_ID_LENGTH) {
      throw ProxyProtocolException.at("tlv[UNIQUE_ID].length", length,
          "<= " + ProxyTlv.MAX_UNIQUE_ID_LENGTH, lengthOffset);
    } else if (type == TlvType.SSL.wireByte()) {
      if (length < 5) {
        throw ProxyProtocolException.at("tlv[SSL].length", length, ">= 5, a client byte and a verify word",
            lengthOffset);
      }
      parse(b, valueAt + 5, valueAt + length, shift, "ssl.");
    }
  }

  /** Checks a raw value given to {@link ProxyTlv#of}, as an argument error. */
  static void checkArgument(int type, byte[] value) {
    try {
      check(ByteBuffer.wrap(value), type, 0, value.length, 0, 0);
    } catch (ProxyProtocolException e) {
      throw new IllegalArgumentException(e.problem(), e);
    }
  }

  static ProxySsl ssl(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    return new ProxySsl(value[0] & 0xFF, b.getInt(1), parse(b, 5, value.length, 0, "ssl."));
  }
}
