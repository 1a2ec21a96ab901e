package io.nlb.core;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address range such as {@code 10.0.1.0/24}. Zones declare the ranges their
 * targets live in, so that a target registered by address alone is placed in the right zone.
 *
 * <pre>{@code
 * Cidr range = Cidr.parse("10.0.1.0/24");
 * range.contains(InetAddress.getByName("10.0.1.7")); // true
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Cidr {
  private final byte[] network;
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Parses {@code address/prefix}. Host bits must be zero ({@code 10.0.1.0/24}, not {@code
   * 10.0.1.7/24}) so that a typo does not silently widen or move the range.
   *
   * @param value the value
   * @return the {@code Cidr}
   * @throws IllegalArgumentException naming the value and the expected form
   */
  public static Cidr parse(String value) {
    int slash = value.indexOf('/');
    if (slash <= 0 || slash == value.length() - 1) {
      throw Check.invalid("cidr", value, "address/prefix, e.g. 10.0.1.0/24 or 2001:db8::/32");
    }
    byte[] addr = Addresses.parseLiteral("cidr", value.substring(0, slash)).getAddress();
    int max = addr.length * 8;
    int prefix;
    try {
      prefix = Integer.parseInt(value.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw Check.invalid("cidr", value, "a prefix length 0-" + max);
    }
    if (prefix < 0 || prefix > max) {
      throw Check.invalid("cidr", value, "a prefix length 0-" + max);
    }
    byte[] masked = mask(addr, prefix);
    if (!Arrays.equals(masked, addr)) {
      throw Check.invalid("cidr", value, "host bits zero, e.g. " + Addresses.toLiteral(masked) + "/" + prefix);
    }
    return new Cidr(masked, prefix);
  }

  private static byte[] mask(byte[] addr, int prefix) {
    byte[] out = addr.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - bits)));
    }
    return out;
  }

  /**
   * {@return whether {@code address} lies in this range (addresses of the other family never do)}
   *
   * @param address the address
   */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    return a.length == network.length && Arrays.equals(mask(a, prefixLength), network);
  }

  /** {@return the prefix length} */
  public int prefixLength() {
    return prefixLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr && ((Cidr) o).prefixLength == prefixLength && Arrays.equals(((Cidr) o).network, network);
  }

  @Override
  public int hashCode() {
    return Objects.hash(prefixLength, Arrays.hashCode(network));
  }

  @Override
  public String toString() {
    return Addresses.toLiteral(network) + "/" + prefixLength;
  }
}
