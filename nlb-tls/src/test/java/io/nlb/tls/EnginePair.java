package io.nlb.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/** A client and a server SSLEngine talking in memory: a whole handshake without sockets or threads. */
final class EnginePair {
  final SSLEngine client;
  final SSLEngine server;

  EnginePair(SSLEngine client, SSLEngine server) {
    this.client = client;
    this.server = server;
  }

  static SSLEngine jdkClient(List<String> protocols, List<String> suites, List<String> alpn) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {TrustAllTrustManager.INSTANCE}, new SecureRandom());
      SSLEngine e = ctx.createSSLEngine("server.test", 443);
      e.setUseClientMode(true);
      SSLParameters p = e.getSSLParameters();
      p.setProtocols(protocols.toArray(new String[0]));
      p.setCipherSuites(suites.toArray(new String[0]));
      if (!alpn.isEmpty()) {
        p.setApplicationProtocols(alpn.toArray(new String[0]));
      }
      e.setSSLParameters(p);
      return e;
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }

  static SSLEngine server(SslContext ctx) {
    SSLEngine e = ctx.newEngine(ByteBufAllocator.DEFAULT);
    TlsContexts.preferServerOrder(e);
    return e;
  }

  /** Runs the handshake to the end; throws the first SSLException either side raises. */
  void handshake() throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()) * 4;
    ByteBuffer c2s = ByteBuffer.allocate(size);
    ByteBuffer s2c = ByteBuffer.allocate(size);
    ByteBuffer app = ByteBuffer.allocate(size);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 200; round++) {
      boolean progressed = step(client, empty, c2s, s2c, app);
      progressed |= step(server, empty, s2c, c2s, app);
      if (done(client) && done(server) && c2s.position() == 0 && s2c.position() == 0) {
        return;
      }
      if (!progressed && round > 20) {
        break;
      }
    }
    throw new SSLException("handshake did not finish: client " + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus s = e.getHandshakeStatus();
    return s == HandshakeStatus.NOT_HANDSHAKING || s == HandshakeStatus.FINISHED;
  }

  /** One engine: wrap into {@code out}, unwrap from {@code in}. */
  private static boolean step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws SSLException {
    boolean progressed = false;
    SSLEngineResult r = e.wrap(empty, out);
    progressed |= r.bytesProduced() > 0;
    runTasks(e);
    in.flip();
    try {
      while (in.hasRemaining()) {
        app.clear();
        SSLEngineResult u = e.unwrap(in, app);
        runTasks(e);
        if (u.bytesConsumed() == 0) {
          break;
        }
        progressed = true;
        if (e.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
          break;
        }
      }
    } finally {
      in.compact();
    }
    return progressed;
  }

  private static void runTasks(SSLEngine e) {
    Runnable t;
    while ((t = e.getDelegatedTask()) != null) {
      t.run();
    }
  }
}
