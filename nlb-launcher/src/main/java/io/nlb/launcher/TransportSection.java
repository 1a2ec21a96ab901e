package io.nlb.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.nlb.launcher.LauncherConfig.Limits;
import io.nlb.launcher.LauncherConfig.TransportSettings;
import io.nlb.tls.TlsProvider;
import io.nlb.transport.netty.NettyTransport;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code transport} section of the launcher's configuration file: I/O mode, threads, the TLS
 * provider and the protection limits, each checked against its range.
 *
 * <p>Stateless: the {@link ConfigParser} passed in collects the problems of one parse, on one thread.
 */
final class TransportSection {
  private TransportSection() {}

  static TransportSettings transport(ConfigParser parser, @Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return new TransportSettings("AUTO", 0, null);
    }
    parser.allowOnly("transport", node, ConfigKeys.TRANSPORT.names());
    String mode = parser.text("transport.ioMode", node.get("ioMode"), false);
    if (mode != null && !Set.of("AUTO", "NIO", "EPOLL", "IO_URING").contains(mode.toUpperCase(Locale.ROOT))) {
      parser.problems.add("transport.ioMode: \"" + mode + "\" (expected: AUTO, NIO, EPOLL or IO_URING)");
    }
    Integer threads = parser.integer("transport.threads", node.get("threads"), false);
    if (threads != null && (threads < 0 || threads > 256)) {
      parser.problems.add("transport.threads: " + threads + " (expected: 0-256, 0 for Netty's default)");
    }
    Integer connect = parser.integer("transport.connectTimeoutSeconds", node.get("connectTimeoutSeconds"), false);
    if (connect != null && (connect < 1 || connect > 120)) {
      parser.problems.add("transport.connectTimeoutSeconds: " + connect + " (expected: 1-120)");
    }
    TlsProvider provider = tlsProvider(parser, node.get("tlsProvider"));
    Limits d = Limits.DEFAULTS;
    int perListener = limit(parser, node, "maxConnectionsPerListener", 1, NettyTransport.UNLIMITED, d.maxConnectionsPerListener(),
        NettyTransport.UNLIMITED + " for unlimited");
    int perClient = limit(parser, node, "maxConnectionsPerClient", 1, NettyTransport.UNLIMITED, d.maxConnectionsPerClient(),
        NettyTransport.UNLIMITED + " for unlimited");
    int buffer = limit(parser, node, "flowBufferBytes", NettyTransport.MIN_FLOW_BUFFER_BYTES, NettyTransport.MAX_FLOW_BUFFER_BYTES,
        d.flowBufferBytes(), null);
    int udp = limit(parser, node, "maxUdpFlows", 1, Integer.MAX_VALUE, d.maxUdpFlows(), null);
    int handshake = limit(parser, node, "tlsHandshakeTimeoutSeconds", 1, 3600, (int) d.tlsHandshakeTimeout().toSeconds(), null);
    int shutdown = limit(parser, node, "shutdownTimeoutSeconds", 0, 3600, (int) LauncherConfig.DEFAULT_SHUTDOWN_TIMEOUT.toSeconds(), null);
    JsonNode zc = node.get("zeroCopy");
    Boolean zeroCopy = zc == null || zc.isNull() ? null : parser.bool("transport.zeroCopy", zc, false);
    JsonNode perLoop = node.get("udpSocketPerEventLoop");
    Boolean udpPerLoop = perLoop == null || perLoop.isNull() ? null : parser.bool("transport.udpSocketPerEventLoop", perLoop, false);
    return new TransportSettings(mode == null ? "AUTO" : mode.toUpperCase(Locale.ROOT), threads == null ? 0 : threads,
        connect == null ? null : Duration.ofSeconds(connect), provider,
        new Limits(perListener, perClient, buffer, udp, Duration.ofSeconds(handshake)), zeroCopy, Duration.ofSeconds(shutdown),
        udpPerLoop == null || udpPerLoop);
  }

  /** An optional whole number {@code transport.<key>} in {@code min-max}; the default when absent or bad. */
  private static int limit(ConfigParser parser, JsonNode node, String key, int min, int max, int dflt, @Nullable String note) {
    String path = "transport." + key;
    String t = parser.text(path, node.get(key), false);
    if (t == null) {
      return dflt;
    }
    long v;
    try {
      v = Long.parseLong(t.trim());
    } catch (NumberFormatException e) {
      v = Long.MIN_VALUE;
    }
    if (v < min || v > max) {
      parser.problems.add(path + ": " + (v == Long.MIN_VALUE ? "\"" + t + "\"" : Long.toString(v)) + " (expected: " + min + "-" + max
          + (note == null ? "" : ", " + note) + ")");
      return dflt;
    }
    return (int) v;
  }

  static TlsProvider tlsProvider(ConfigParser parser, @Nullable JsonNode node) {
    String name = parser.text("transport.tlsProvider", node, false);
    if (name == null) {
      return TlsProvider.AUTO;
    }
    TlsProvider provider;
    try {
      provider = TlsProvider.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      parser.problems.add("transport.tlsProvider: \"" + name + "\" (expected: AUTO, JDK or OPENSSL)");
      return TlsProvider.AUTO;
    }
    if (!provider.isAvailable()) {
      parser.problems.add("transport.tlsProvider: " + provider
          + " (expected: an available provider; OPENSSL needs io.netty:netty-tcnative-boringssl-static on the class path)");
    }
    return provider;
  }
}
