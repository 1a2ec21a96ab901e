package io.nlb.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses client-initiated renegotiation whatever the provider does by default. Sits before the
 * SslHandler and follows the raw TLS record boundaries; once a TLS 1.2-or-older handshake has
 * finished, a handshake record (content type 22) from the client can only start a renegotiation
 * (the client sends no other post-handshake handshake message below TLS 1.3), so the connection is
 * closed. TLS 1.3 hides record types and has no renegotiation, so the guard stays disarmed there.
 */
final class RenegotiationGuard extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RenegotiationGuard.class);
  private static final int HANDSHAKE = 22;

  private final byte[] header = new byte[5];
  private int headerLength;
  private int bodyRemaining;
  private boolean armed;
  private boolean refused;
  private boolean sawBytes;

  /** Called on the event loop once a handshake below TLS 1.3 has finished. */
  void arm() {
    armed = true;
  }

  boolean refused() {
    return refused;
  }

  /** Whether the client has sent at least one byte (a negotiation was attempted). */
  boolean sawBytes() {
    return sawBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf) {
      sawBytes |= buf.isReadable();
      int i = buf.readerIndex();
      int end = buf.writerIndex();
      while (i < end) {
        if (bodyRemaining > 0) {
          int n = Math.min(bodyRemaining, end - i);
          bodyRemaining -= n;
          i += n;
          continue;
        }
        header[headerLength++] = buf.getByte(i++);
        if (headerLength == header.length) {
          headerLength = 0;
          bodyRemaining = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
          if (armed && (header[0] & 0xff) == HANDSHAKE) {
            refused = true;
            log.debug("{}: client-initiated renegotiation refused", ctx.channel());
            buf.release();
            ctx.close();
            return;
          }
        }
      }
    }
    ctx.fireChannelRead(msg);
  }
}
