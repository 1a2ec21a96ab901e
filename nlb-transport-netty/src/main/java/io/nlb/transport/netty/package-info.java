/** The Netty data plane: binds listeners on every node and relays TCP and UDP flows to targets. */
@NullMarked
package io.nlb.transport.netty;

import org.jspecify.annotations.NullMarked;
