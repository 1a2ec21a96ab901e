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
  LOCAL(0x0),
  /** The connection is relayed on behalf of a client whose endpoints the header carries. */
  PROXY(0x1);

  private final int wireValue;

  ProxyCommand(int wireValue) {
    this.wireValue = wireValue;
  }

  /** {@return the four-bit value on the wire} */
  public int wireValue() {
    return wireValue;
  }
}
