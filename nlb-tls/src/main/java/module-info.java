/**
 * TLS termination under named security policies: the 18 policies, certificates (PEM and key
 * store), SNI certificate selection, ALPN, server and client contexts for the JDK and OpenSSL
 * providers, TLS to targets (TlsOrigination) and TLS access logs. Depends on the core and Netty's handler module, never on a
 * transport: the transport asks {@link io.nlb.tls.TlsTermination} for a channel handler per
 * connection.
 */
module io.nlb.tls {
  requires static org.jspecify;
  // ServerCertificate, ListenerConfig and AlpnPolicy appear in TlsCertificate and TlsTermination.
  requires transitive io.nlb.core;
  // SslHandler (TlsOrigination#newHandler), Channel and ChannelHandler (TlsTermination,
  // TlsNegotiationListener), AttributeKey (TlsTermination.BACKEND_ALPN) appear in this API.
  requires transitive io.netty.handler;
  requires transitive io.netty.transport;
  requires transitive io.netty.common;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires org.slf4j;
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;
  requires java.naming;
  // Optional: present only when netty-tcnative is on the module path (the OPENSSL provider).
  requires static io.netty.tcnative.classes.openssl;

  exports io.nlb.tls;
}
