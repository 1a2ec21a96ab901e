package io.nlb.transport.netty;

import io.netty.channel.Channel;

/**
 * The copying relay side: bytes are read into buffers and written to the other connection. The
 * next read is asked for only while the other connection is writable (below its per-flow buffer
 * bound); when it becomes writable again, its side asks this one to read ({@link
 * RelaySide#channelWritabilityChanged}). Plain TCP flows count their bytes here; TLS flows count
 * TLS records in {@link TlsErrors.Bytes} instead.
 *
 * <p>One instance per connection, confined to the flow's event loop.
 */
final class CopyRelay extends RelaySide {
  CopyRelay(TcpFlow flow, boolean client) {
    super(flow, client);
  }

  @Override
  boolean countsBufferedBytes() {
    return flow.tls == null;
  }

  @Override
  void readMore(Channel own, Channel peer) {
    if (peer.isWritable()) {
      own.read();
    }
  }
}
