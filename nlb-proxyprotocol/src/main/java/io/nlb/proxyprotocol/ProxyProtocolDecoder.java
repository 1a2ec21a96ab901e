package io.nlb.proxyprotocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.nlb.common.Problems;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A Netty inbound handler for servers behind a proxy: decodes the PROXY protocol headers (version
 * 2 and 1) at the start of a connection, fires each as a {@link ProxyHeader} message, then passes
 * the payload through unchanged and removes itself from the pipeline.
 *
 * <p>Each header is fired as soon as it is complete, so a protocol where the server speaks first
 * can answer right away. The handler stays until the first byte that does not begin a further
 * stacked header arrives, which is also when it removes itself; every {@code ByteBuf} after that
 * reaches the next handler untouched. Place it first in the pipeline:
 *
 * <pre>{@code
 * ch.pipeline().addLast(new ProxyProtocolDecoder());
 * ch.pipeline().addLast(new SimpleChannelInboundHandler<Object>() {
 *   protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
 *     if (msg instanceof ProxyHeader) {
 *       ctx.channel().attr(CLIENT).set(((ProxyHeader) msg).source());
 *     } else { ... the payload ... }
 *   }
 * });
 * }</pre>
 *
 * <p>Bytes that are not a valid header close the channel, are discarded, and fire {@link
 * ProxyProtocolException} through {@code exceptionCaught}. The handler buffers at most one
 * header before its verdict (16 + 65,535 bytes for version 2, 107 for version 1). If the
 * connection ends inside the first header, {@code exceptionCaught} also receives a {@code
 * ProxyProtocolException}; if it ends after a header with a few bytes that might have begun
 * another, those bytes are passed on as payload.
 *
 * <p>One instance per channel (not {@code @Sharable}); it runs on the channel's event loop.
 *
 * @since 0.1
 */
public final class ProxyProtocolDecoder extends ByteToMessageDecoder {
  private final ProxyHeaderParser parser;
  private int headers;
  private long consumed;
  private boolean failed;

  /** A decoder with {@link ProxyHeaderParser#defaults()}. */
  public ProxyProtocolDecoder() {
    this(ProxyHeaderParser.defaults());
  }

  /**
   * A decoder with the checksum policy and header limit of {@code parser}.
   *
   * @param parser the parser
   */
  public ProxyProtocolDecoder(ProxyHeaderParser parser) {
    this.parser = parser;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int readable = in.readableBytes();
    if (readable == 0) {
      return;
    }
    // One header at most is ever looked at, so the view never needs more than its maximum.
    ByteBuffer view = in.nioBuffer(in.readerIndex(), Math.min(readable, Wire.V2_MAX_LENGTH));
    int limit = view.limit();
    int pos = view.position();
    if (headers > 0) {
      int next = Wire.detect(view, pos, limit);
      if (next == Wire.NEED_MORE) {
        return;
      }
      if (next == Wire.NONE) {
        ctx.pipeline().remove(this); // ByteToMessageDecoder hands the rest on as payload
        return;
      }
    }
    try {
      if (headers >= parser.maxHeaders()) {
        throw ProxyProtocolException.at("headers",
            Problems.raw("more than " + parser.maxHeaders() + " stacked"),
            "at most " + parser.maxHeaders(), consumed);
      }
      long shift = consumed - pos;
      int length = Wire.frame(view, pos, limit, shift);
      if (length == Wire.NEED_MORE) {
        return;
      }
      ProxyHeader header = Wire.parse(view, pos, length, shift, parser.requireValidCrc32c());
      in.skipBytes(length);
      consumed += length;
      headers++;
      out.add(header);
    } catch (ProxyProtocolException e) {
      fail(ctx, in, e);
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    decode(ctx, in, out);
    if (failed || ctx.isRemoved() || !in.isReadable()) {
      return;
    }
    if (headers > 0) {
      out.add(in.readRetainedSlice(in.readableBytes())); // never became a header: payload
    } else {
      fail(ctx, in, ProxyProtocolException.at("header",
          Problems.raw(in.readableBytes() + " bytes, then end of stream"),
          "a complete PROXY protocol header", consumed + in.readableBytes()));
    }
  }

  private void fail(ChannelHandlerContext ctx, ByteBuf in, ProxyProtocolException e) {
    failed = true;
    in.skipBytes(in.readableBytes());
    ChannelFuture unused = ctx.close(); // the close is the verdict; its outcome changes nothing
    ctx.fireExceptionCaught(e);
  }
}
