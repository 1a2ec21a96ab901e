package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescriptorsTest {
  @Test
  void udpFlowBudget_halfOfWhatTheReserveLeaves_bounded() {
    assertThat(Descriptors.udpFlowBudget(4096)).isEqualTo(1536);
    assertThat(Descriptors.udpFlowBudget(1024)).isEqualTo(384);
    assertThat(Descriptors.udpFlowBudget(256)).isEqualTo(Descriptors.MIN_UDP_FLOWS);
    assertThat(Descriptors.udpFlowBudget(1 << 20)).isEqualTo(65_536);
    assertThat(Descriptors.udpFlowBudget(-1)).isEqualTo(65_536);
  }

  @Test
  void transportDefault_derivedFromThisProcessLimit() {
    long max = Descriptors.maxFileDescriptors();
    assertThat(max).as("a Unix JVM tells its descriptor limit").isPositive();
    NettyTransport t = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).build();
    try {
      assertThat(t.maxUdpFlows).isEqualTo(Descriptors.udpFlowBudget(max));
      assertThat(t.liveness().isLive()).isTrue();
      assertThat(t.liveness().eventLoops()).isEqualTo(1);
    } finally {
      t.close();
    }
  }

  @Test
  void softOpenFilesLimit_readsTheSoftColumnOfTheOpenFilesLine(@TempDir Path dir) throws Exception {
    Path limits = dir.resolve("limits");
    Files.writeString(limits, """
        Limit                     Soft Limit           Hard Limit           Units
        Max processes             127573               127573               processes
        Max open files            4096                 524288               files
        Max locked memory         8388608              8388608              bytes
        """);
    assertThat(Descriptors.softOpenFilesLimit(limits)).isEqualTo(4096);
  }

  @Test
  void softOpenFilesLimit_unlimitedMissingOrGarbled_unknown(@TempDir Path dir) throws Exception {
    Path unlimited = dir.resolve("unlimited");
    Files.writeString(unlimited, "Max open files            unlimited            unlimited            files\n");
    Path garbled = dir.resolve("garbled");
    Files.writeString(garbled, "Max open files            many                 1024                 files\n");
    Path noLine = dir.resolve("none");
    Files.writeString(noLine, "Max processes             127573               127573               processes\n");
    assertThat(Descriptors.softOpenFilesLimit(unlimited)).isEqualTo(-1);
    assertThat(Descriptors.softOpenFilesLimit(garbled)).isEqualTo(-1);
    assertThat(Descriptors.softOpenFilesLimit(noLine)).isEqualTo(-1);
    assertThat(Descriptors.softOpenFilesLimit(dir.resolve("absent"))).isEqualTo(-1);
  }

  @Test
  void maxFileDescriptors_onLinux_sameAsThePlatformBean() {
    Path proc = Path.of("/proc/self/limits");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(proc), "a Linux /proc");
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    org.junit.jupiter.api.Assumptions.assumeTrue(os instanceof com.sun.management.UnixOperatingSystemMXBean, "a Unix platform bean");
    long bean = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
    assertThat(Descriptors.softOpenFilesLimit(proc)).isEqualTo(bean);
    assertThat(Descriptors.maxFileDescriptors()).isEqualTo(bean);
  }
}
