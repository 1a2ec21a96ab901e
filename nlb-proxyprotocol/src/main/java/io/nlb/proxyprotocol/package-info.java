/**
 * PROXY protocol version 2 encoder and version 1/2 decoder, including the AWS VPC-endpoint TLV.
 * The wire format is HAProxy's {@code proxy-protocol.txt} (2020/03/05); nothing here knows about
 * load balancers.
 *
 * <h2>Sending: {@link io.nlb.proxyprotocol.ProxyV2Encoder}</h2>
 *
 * <p>One immutable encoder per listener carries the TLVs common to all its headers (pre-encoded
 * once in a {@link io.nlb.proxyprotocol.ProxyTlvBlock}) and whether to append a CRC32c. Per
 * connection it writes a {@code PROXY} header from the client's and the listener's socket
 * addresses, or a {@code LOCAL} header for a health check, into a caller's {@code ByteBuf},
 * {@code ByteBuffer} or a new {@code byte[]}:
 *
 * <pre>{@code
 * ProxyV2Encoder encoder = ProxyV2Encoder.builder()
 *     .tlvs(ProxyTlv.awsVpcEndpointId("vpce-08d2bf15fac5001c9"))
 *     .crc32c(true)
 *     .build();
 * encoder.encodeProxy(out, TransportProtocol.STREAM, client, listener);
 * }</pre>
 *
 * <h2>Receiving: {@link io.nlb.proxyprotocol.ProxyHeaderParser}, {@link
 * io.nlb.proxyprotocol.ProxyProtocolDecoder}</h2>
 *
 * <p>Applications behind the proxy decode one or more stacked headers into immutable {@link
 * io.nlb.proxyprotocol.ProxyHeader}s: from an {@code InputStream} or a {@code ByteBuffer} with
 * {@link io.nlb.proxyprotocol.ProxyHeaders#read} and {@link io.nlb.proxyprotocol.ProxyHeaders#parse},
 * or in a Netty pipeline with {@link io.nlb.proxyprotocol.ProxyProtocolDecoder}. Bad input is
 * always a {@link io.nlb.proxyprotocol.ProxyProtocolException} naming the field and the byte
 * offset; a truncated header is always "need more bytes".
 *
 * <h2>Why our own types rather than netty-codec-haproxy's</h2>
 *
 * <p>Netty's {@code HAProxyMessage} fits a decoder inside a Netty pipeline, not this module's
 * two jobs. For the load balancer's hot path it would cost per connection: a reference-counted
 * message and TLV holders to build and release, addresses as {@code String}s that its encoder
 * parses back, no way to pre-encode a listener's constant TLVs, and no CRC32c. For applications
 * behind the load balancer its decoder stops after one header (a stacked second header would
 * reach the application as payload), does not verify a CRC32c, needs a channel (nothing for a
 * plain {@code InputStream}), hands out {@code ByteBuf}s the application must release, and
 * names neither {@code CRC32C}, {@code NOOP}, {@code UNIQUE_ID} nor the AWS type. So the value
 * types here are plain immutable objects holding byte arrays, with wire constants as enums
 * carrying their byte; Netty appears only at the I/O edges ({@code ByteBuf} output, the {@code
 * ByteToMessageDecoder} handler). netty-codec-haproxy stays a test dependency: its decoder and
 * encoder are the independent implementation our golden and round-trip tests are checked
 * against.
 *
 * <p>Every type is immutable and thread-safe except the builders and the Netty handler (one per
 * channel).
 */
@NullMarked
package io.nlb.proxyprotocol;

import org.jspecify.annotations.NullMarked;
