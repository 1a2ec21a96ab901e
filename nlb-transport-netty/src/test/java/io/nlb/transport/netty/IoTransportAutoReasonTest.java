package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one line {@link IoMode#AUTO} logs about its choice reads as a choice, not as a failure. */
class IoTransportAutoReasonTest {
  private static final NoClassDefFoundError NO_URING = new NoClassDefFoundError("io/netty/channel/uring/IoUring");
  private static final NoClassDefFoundError NO_EPOLL = new NoClassDefFoundError("io/netty/channel/epoll/Epoll");

  @Test
  void autoReason_bothNativesAbsent_saysSoWithoutAnExceptionName() {
    String why = IoTransport.autoReason(NO_URING, false, NO_EPOLL, false);

    assertThat(why).startsWith("no native transport on the class path")
        .contains("netty-transport-native-epoll", "classifier")
        .doesNotContain("Error", "Exception", "\n");
  }

  @Test
  void autoReason_classNotFoundAsCause_countsAsAbsent() {
    Throwable wrapped = new IllegalStateException("failed", new ClassNotFoundException("io.netty.channel.epoll.Epoll"));

    assertThat(IoTransport.autoReason(NO_URING, false, wrapped, false)).startsWith("no native transport on the class path");
  }

  @Test
  void autoReason_nativeLibraryFailsToLoad_oneLineWithTheFirstLineOfTheCause() {
    UnsatisfiedLinkError link = new UnsatisfiedLinkError("could not load a native library: netty_transport_native_epoll_x86_64\n"
        + "\tat io.netty.util.internal.NativeLibraryLoader.load(NativeLibraryLoader.java:1)");

    String why = IoTransport.autoReason(NO_URING, false, link, false);

    assertThat(why).isEqualTo("io_uring not on the class path; epoll native library did not load"
        + " (could not load a native library: netty_transport_native_epoll_x86_64)");
  }

  @Test
  void autoReason_uringAvailable_isShort() {
    assertThat(IoTransport.autoReason(null, false, NO_EPOLL, false)).isEqualTo("io_uring available");
  }

  @Test
  void autoReason_uringAbsent_epollAvailable_namesBoth() {
    assertThat(IoTransport.autoReason(NO_URING, false, null, false))
        .isEqualTo("io_uring not on the class path; epoll available");
  }

  @Test
  void unavailable_otherCause_showsItOnOneLine() {
    assertThat(IoTransport.unavailable(new UnsupportedOperationException("kernel 5.4 too old\nmore")))
        .isEqualTo("unavailable: java.lang.UnsupportedOperationException: kernel 5.4 too old");
  }
}
