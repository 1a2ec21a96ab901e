package io.nlb.proxyprotocol;

/**
 * The command of a version 2 header: the low four bits of its 13th byte.
 *
 * <p>A version 1 header always means {@link #PROXY}. Immutable and thread-safe.
 *
 * @since 0.1
 */
public enum ProxyCommand {
  /**
   * The proxy opened the connection on its own behalf, typically a health check. The receiver
   * uses the real connection endpoints and ignores any address information.
   */
  LOCAL,
  /** The connection is relayed on behalf of a client whose endpoints the header carries. */
  PROXY;

  /** {@return the four-bit value on the wire: the constants are declared in wire order, from 0} */
  public int wireValue() {
    return ordinal();
  }
}
