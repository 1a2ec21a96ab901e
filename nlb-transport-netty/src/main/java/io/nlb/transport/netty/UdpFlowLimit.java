package io.nlb.transport.netty;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many UDP flows a transport tracks at once, and the cause it logs when the table is full.
 * Configured ({@link NettyTransportBuilder#maxUdpFlows}) or derived: the descriptor budget under
 * the process's descriptor limit ({@link Descriptors#udpFlowBudget}) and, on io_uring, the read
 * slots that fit in a quarter of the direct memory limit ({@link DatagramSockets#ioUringFlowBudget}),
 * whichever is smaller. A configured figure above either budget is kept, with a warning naming it.
 * Decided once, when the transport is built; immutable.
 *
 * @param maxFlows the UDP flows tracked at once
 * @param tableFullCause the cause logged per dropped datagram while the table is full (built once)
 */
record UdpFlowLimit(int maxFlows, String tableFullCause) {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  /**
   * The limit for {@code configured} flows (0 or less: derive it) under {@code maxFds} descriptors
   * (-1: unknown) and {@code maxDirectMemory} bytes of direct memory, in {@code mode}.
   */
  static UdpFlowLimit of(int configured, long maxFds, IoMode mode, long maxDirectMemory) {
    int fdBudget = Descriptors.udpFlowBudget(maxFds);
    int memoryBudget = mode == IoMode.IO_URING ? DatagramSockets.ioUringFlowBudget(maxDirectMemory) : Integer.MAX_VALUE;
    int max;
    String from = "";
    if (configured > 0) {
      max = configured;
      if (maxFds > 0 && configured > fdBudget) {
        log.warn("nlb transport: maxUdpFlows {} is more than the descriptor budget of UDP flows under this process's"
            + " limit of {} file descriptors ({}: half of what is left after a reserve of {} for accepting, target"
            + " connections and health checks); a UDP flood can then take the descriptors TCP needs. Raise ulimit -n"
            + " or lower maxUdpFlows", configured, maxFds, fdBudget, Descriptors.reserve(maxFds));
      }
      if (configured > memoryBudget) {
        log.warn("nlb transport: maxUdpFlows {} is more than the {} UDP flows whose io_uring read buffers (64 KiB each,"
            + " held while the flow lives) fit in a quarter of the direct memory limit of {} bytes; a UDP flood can then"
            + " take the direct memory every read needs. Raise -XX:MaxDirectMemorySize, lower maxUdpFlows or use epoll",
            configured, memoryBudget, maxDirectMemory);
      }
    } else if (memoryBudget < fdBudget) {
      max = memoryBudget;
      from = ", derived from io_uring read slots of 64 KiB per flow in a quarter of the direct memory limit "
          + maxDirectMemory + " B";
    } else {
      max = fdBudget;
      from = ", derived from ulimit -n " + maxFds;
    }
    return new UdpFlowLimit(max, "UDP flow table full: datagrams of new flows are dropped (maxUdpFlows " + max + from
        + "); existing flows go on");
  }
}
