package io.nlb.transport.netty;

import io.nlb.core.LoadBalancer;
import io.nlb.core.LoadBalancerAttributes;
import io.nlb.tls.DirectoryAccessLogSink;
import io.nlb.tls.TlsAccessLog;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS access-log files of the load balancers: opens, reopens and closes each one's {@link
 * TlsAccessLog} to match its attributes. Closing flushes what is queued, which is file I/O: it
 * runs on the control thread or a pool thread, never on an event loop.
 *
 * <p>Stateless; callers hold the {@link LbState} monitor.
 */
final class AccessLogs {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  /**
   * The account id and region in access-log file names and paths ({@code
   * AWSLogs/<account>/elasticloadbalancing/<region>/...}): an embedded load balancer has neither,
   * so these fixed placeholders stand in for them.
   */
  static final String ACCOUNT = "000000000000";
  static final String REGION = "local";
  /** Entries a TLS access log keeps in memory before dropping (and counting) new ones. */
  static final int CAPACITY = 65_536;

  private AccessLogs() {}

  /**
   * Opens, reopens or closes the load balancer's TLS access log to match its attributes: one log
   * while {@code access_logs.s3.enabled} is true and it has a TLS listener (and {@code open}).
   */
  static void sync(LbState st, boolean open) {
    LoadBalancerAttributes a = st.lb.attributes();
    boolean want = a.accessLogsEnabled() && !st.tls.isEmpty() && open;
    String key = want ? a.accessLogsDirectory() + "\u0000" + a.accessLogsPrefix() : null;
    if (Objects.equals(key, st.accessLogKey)) {
      return;
    }
    TlsAccessLog old = st.accessLog;
    TlsAccessLog opened = null;
    if (want) {
      try {
        DirectoryAccessLogSink sink = DirectoryAccessLogSink.fromAttributes(a, ACCOUNT, REGION, st.lb.resourceId());
        if (sink != null) {
          opened = TlsAccessLog.start(sink, st.lb.nlb().scheduler(), CAPACITY);
        }
      } catch (RuntimeException e) {
        log.warn("nlb transport: cannot open the TLS access log of {}: {}", st.lb.name(), e.toString());
      }
    }
    st.accessLog = opened;
    st.accessLogKey = opened == null ? null : key;
    close(st.lb, old);
  }

  /** Closes the access log of {@code st}, if any, flushing what is queued. */
  static void close(LbState st) {
    TlsAccessLog l = st.accessLog;
    st.accessLog = null;
    st.accessLogKey = null;
    close(st.lb, l);
  }

  private static void close(LoadBalancer lb, @Nullable TlsAccessLog l) {
    if (l == null) {
      return;
    }
    try {
      l.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (l.dropped() > 0) {
      log.warn("nlb transport: the TLS access log of {} dropped {} entries", lb.name(), l.dropped());
    }
  }
}
