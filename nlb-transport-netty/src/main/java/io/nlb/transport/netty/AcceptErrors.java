package io.nlb.transport.netty;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a TCP listener socket: when accepting fails (typically {@code EMFILE}, the
 * process is out of file descriptors), it logs one clear WARN naming the listener and the cause,
 * stops accepting for {@link #PAUSE_MILLIS} so that the event loop does not spin on the pending
 * connection, then accepts again (further failures are logged at most every 10 s, with their count). Connections already open are not touched. Confined to the
 * listener socket's event loop.
 */
final class AcceptErrors extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AcceptErrors.class);

  /** How long accepting pauses after a failure. */
  static final long PAUSE_MILLIS = 200;

  private final Endpoint ep;
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private boolean paused;
  /** When the last WARN was logged (System.nanoTime), 0 for never. */
  private long lastWarn;
  /** Failures while paused or since the last WARN, reported with the next one. */
  private long failures;

  AcceptErrors(Endpoint ep) {
    this.ep = ep;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures++;
    if (paused) {
      return;
    }
    paused = true;
    long now = System.nanoTime();
    if (lastWarn == 0 || now - lastWarn >= WARN_EVERY_NANOS) {
      lastWarn = now == 0 ? 1 : now;
      if (isOutOfFiles(cause)) {
        log.warn("nlb transport: {} cannot accept connections: out of file descriptors ({}); {} failure(s) since the"
            + " last warning. Accepting pauses for {} ms at a time until it works again (at most one warning every"
            + " 10 s); open flows go on. Raise the process's limit (ulimit -n) or lower the number of connections",
            ep, cause.getMessage(), failures, PAUSE_MILLIS);
      } else {
        log.warn("nlb transport: {} cannot accept a connection ({} failure(s) since the last warning); accepting"
            + " pauses for {} ms at a time (at most one warning every 10 s): {}", ep, failures, PAUSE_MILLIS,
            String.valueOf(cause));
      }
      failures = 0;
    } else {
      log.debug("nlb transport: {} cannot accept a connection: {}", ep, String.valueOf(cause));
    }
    ChannelConfig config = ctx.channel().config();
    config.setAutoRead(false);
    ctx.channel().eventLoop().schedule(() -> {
      paused = false;
      if (ctx.channel().isOpen() && !ep.closing) {
        config.setAutoRead(true);
      }
    }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Whether {@code cause} (or a cause of it) says the process or system is out of file descriptors. */
  static boolean isOutOfFiles(@Nullable Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("Too many open files") || m.contains("EMFILE") || m.contains("ENFILE"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
