package io.nlb.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.Buffer;
import io.netty.internal.tcnative.SSL;
import java.nio.ByteBuffer;

/**
 * Sends a TLS 1.3 server's session tickets as soon as its handshake is done on BoringSSL.
 *
 * <p>BoringSSL keeps the NewSessionTicket messages it makes at the end of a TLS 1.3 server
 * handshake until the first application write, so a client that reads nothing before it closes
 * (or whose request gets a late answer) leaves without a session to resume, where OpenSSL and the
 * JDK send the tickets straight after the handshake. A write of zero bytes makes BoringSSL put
 * them into the engine's network buffer; the caller then flushes the channel so that the
 * SslHandler wraps them out.
 *
 * <p>Call on the channel's event loop only, and only with one of Netty's OpenSSL engines (which
 * exist only when netty-tcnative is present; this class needs it).
 */
final class OpenSslTickets {
  /** SSL_write wants a valid address even for no bytes; kept reachable so its memory stays; never read or written. */
  private static final ByteBuffer NO_BYTES_BUFFER = ByteBuffer.allocateDirect(1);
  private static final long NO_BYTES = Buffer.address(NO_BYTES_BUFFER);

  private OpenSslTickets() {}

  /**
   * {@return whether BoringSSL was asked to emit its pending tickets} False for an engine already
   * closed.
   *
   * @param openSsl the server engine whose TLS 1.3 handshake just finished
   */
  static boolean emit(ReferenceCountedOpenSslEngine openSsl) {
    synchronized (openSsl) { // the engine's own lock: every native call of it holds it
      long ssl = openSsl.sslPointer();
      if (ssl == 0 || openSsl.isOutboundDone()) {
        return false;
      }
      if (SSL.writeToSSL(ssl, NO_BYTES, 0) < 0) {
        SSL.clearError(); // nothing written; leave no error behind for the engine's next call
        return false;
      }
      return true;
    }
  }
}
