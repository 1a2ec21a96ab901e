package io.nlb.awsapi;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpoint's HTTP side: hands each whole request to the one operations thread (refusing at
 * once past the bound of waiting requests) and writes the answer back on the channel's loop.
 * One per connection; not shared.
 */
final class ApiHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(ApiHttpHandler.class);

  private final ApiDispatcher dispatcher;
  private final ExecutorService operations;
  private final AtomicInteger pending;
  private final int maxPendingRequests;

  ApiHttpHandler(ApiDispatcher dispatcher, ExecutorService operations, AtomicInteger pending, int maxPendingRequests) {
    this.dispatcher = dispatcher;
    this.operations = operations;
    this.pending = pending;
    this.maxPendingRequests = maxPendingRequests;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      write(ctx, new ApiDispatcher.Response(400, "text/plain", "malformed HTTP request\n".getBytes(StandardCharsets.US_ASCII)), false);
      return;
    }
    HttpMethod m = req.method();
    if (!m.equals(HttpMethod.POST) && !m.equals(HttpMethod.GET) && !m.equals(HttpMethod.PATCH) && !m.equals(HttpMethod.DELETE)) {
      write(ctx, ApiDispatcher.error(new ApiException("InvalidAction", 405, "method: " + req.method()
          + " (expected: POST or GET; PATCH and DELETE for zonal shifts)"), "none"), keepAlive);
      return;
    }
    String uri = req.uri();
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String rawQuery = q < 0 ? "" : uri.substring(q + 1);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue());
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    SigV4Verifier.SignedRequest signed = new SigV4Verifier.SignedRequest(req.method().name(), rawPath, rawQuery, headers, body);
    if (pending.incrementAndGet() > maxPendingRequests) {
      // Requests run one at a time; past the bound, refuse at once rather than queue without end.
      pending.decrementAndGet();
      write(ctx, ApiDispatcher.error(new ApiException("ThrottlingException", 400, "Rate exceeded: more than "
          + maxPendingRequests + " requests waiting (expected: fewer requests at once; retry later)"), "none"), keepAlive);
      return;
    }
    try {
      operations.execute(() -> {
        ApiDispatcher.Response r;
        try {
          r = dispatcher.handle(signed);
        } finally {
          pending.decrementAndGet();
        }
        ctx.executor().execute(() -> write(ctx, r, keepAlive));
      });
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      ctx.close();
    }
  }

  private void write(ChannelHandlerContext ctx, ApiDispatcher.Response r, boolean keepAlive) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    r.headers().forEach(res.headers()::set);
    HttpUtil.setKeepAlive(res, keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("AWS API connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
