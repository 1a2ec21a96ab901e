/** PROXY protocol version 2 (and version 1 decoding): encoder, decoder and the AWS VPC-endpoint TLV. */
@NullMarked
package io.nlb.proxyprotocol;

import org.jspecify.annotations.NullMarked;
