package io.nlb.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.nlb.core.HealthCheck;
import io.nlb.core.HealthCheckProtocol;
import io.nlb.core.spi.ProbeRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The probe's pure parts: the status line, the request bytes, and the detail of a failure. */
class NettyHealthProbeTest {
  @Test
  void parseStatus_wellFormedLines_code() {
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1 200 OK")).isEqualTo(200);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.0 503 Service Unavailable")).isEqualTo(503);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1 204")).isEqualTo(204);
  }

  @Test
  void parseStatus_malformedLines_minusOne() {
    assertThat(NettyHealthProbe.parseStatus("")).isEqualTo(-1);
    assertThat(NettyHealthProbe.parseStatus("SSH-2.0-OpenSSH_9.6")).isEqualTo(-1);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1 20")).isEqualTo(-1);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1 2x0 OK")).isEqualTo(-1);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1 2000 OK")).isEqualTo(-1);
    assertThat(NettyHealthProbe.parseStatus("HTTP/1.1  200 OK")).isEqualTo(-1);
  }

  @Test
  void httpRequest_getWithNodeHostAndClose() {
    ProbeRequest r = ProbeRequest.of(HealthCheck.builder().protocol(HealthCheckProtocol.HTTP).path("/ping?x=1").build(),
        new InetSocketAddress("127.0.0.1", 8080), "[fd00::1]:80");
    assertThat(new String(NettyHealthProbe.httpRequest(r), StandardCharsets.US_ASCII)).isEqualTo(
        "GET /ping?x=1 HTTP/1.1\r\nHost: [fd00::1]:80\r\nUser-Agent: nlb-healthcheck\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  }

  @Test
  void describe_wrappedHandshakeFailure_namesTheCause() {
    Exception e = new io.netty.handler.codec.DecoderException(new SSLHandshakeException("Received fatal alert: protocol_version"));
    assertThat(NettyHealthProbe.describe(e)).isEqualTo("Received fatal alert: protocol_version");
    assertThat(NettyHealthProbe.describe(new java.net.ConnectException())).isEqualTo("ConnectException");
  }
}
