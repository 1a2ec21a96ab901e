/**
 * PROXY protocol version 2 encoder and version 1/2 decoder, with the AWS VPC-endpoint TLV.
 * Knows nothing about load balancers. See the package {@code io.nlb.proxyprotocol}.
 */
module io.nlb.proxyprotocol {
  requires static transitive org.jspecify; // @Nullable appears in our API
  // Problems formats every argument error; not re-exported (no API type of it).
  requires io.nlb.common;
  // Our API speaks ByteBuf (encoder, decoder) and ByteToMessageDecoder (the Netty handler).
  requires transitive io.netty.buffer;
  requires transitive io.netty.common;
  requires transitive io.netty.transport;
  requires transitive io.netty.codec;

  exports io.nlb.proxyprotocol;
}
