package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.LoadBalancer;
import io.nlb.core.RoutingSnapshot;
import io.nlb.core.spi.Transport;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NettyTransportSpiTest {
  @Test
  void publicType_hasNoSpiMethods() {
    List<String> publicMethods = new ArrayList<>();
    for (Method m : NettyTransport.class.getMethods()) {
      if (Modifier.isPublic(m.getModifiers())) {
        publicMethods.add(m.getName());
      }
    }

    assertThat(Transport.class.isAssignableFrom(NettyTransport.class)).isFalse();
    assertThat(publicMethods).doesNotContain("apply", "remove", "resetFlows")
        .contains("spi", "close", "bindings", "ioMode");
  }

  @Test
  void spi_isOneInstance_andLeadsBackToItsTransport() {
    try (NettyTransport t = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).build()) {
      Transport spi = t.spi();

      assertThat(t.spi()).isSameAs(spi);
      assertThat(NettyTransport.from(spi)).containsSame(t);
    }
  }

  @Test
  void from_anotherTransport_isEmpty() {
    Transport other = new Transport() {
      @Override
      public java.util.concurrent.CompletionStage<Void> apply(LoadBalancer lb, io.nlb.core.RouteSlots slots, @Nullable RoutingSnapshot previous, RoutingSnapshot next) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public java.util.concurrent.CompletionStage<Void> remove(LoadBalancer lb) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public void close() {}
    };

    assertThat(NettyTransport.from(other)).isEmpty();
  }

  @Test
  void closingTheSpi_closesTheTransport() {
    NettyTransport t = NettyTransport.builder().ioMode(IoMode.NIO).threads(1).build();

    t.spi().close();

    assertThat(t.group.isShuttingDown()).isTrue();
  }
}
